using System.Text.Json;
using System.Text.Json.Serialization;
using MoodBot.Core;

namespace MoodBot.Cli;

public sealed record BoxJson(int X, int Y, int Width, int Height);

public sealed record FaceJson(BoxJson Box, string Emotion, double Confidence, Dictionary<string, double> Probabilities);

public sealed record MoodJson(string Emotion, Dictionary<string, double> Probabilities);

public sealed record AnalyzeJson(IReadOnlyList<FaceJson> Faces, MoodJson? Mood);

public sealed record ClassStatsJson(int Images, double Recall, double Precision);

public sealed record EvaluateJson(int Images, double Accuracy, Dictionary<string, ClassStatsJson> PerClass, IReadOnlyList<string> Classes,
    int[][] Confusion, double Seconds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(AnalyzeJson))]
[JsonSerializable(typeof(EvaluateJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

internal static class CliJsonMapping
{
    public static Dictionary<string, double> ToJson(this EmotionProbabilities p) =>
        p.Pairs().ToDictionary(kv => kv.Key.Name(), kv => Math.Round(kv.Value, 4));

    public static AnalyzeJson ToJson(this PhotoAnalysis a) => new(
        a.Faces.Select(f => new FaceJson(new BoxJson(f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height), f.Emotion.Name(),
            Math.Round(f.Confidence, 4), f.Probabilities.ToJson())).ToList(),
        a.Mood is { } m ? new MoodJson(m.Emotion.Name(), m.Probabilities.ToJson()) : null);

    public static string Serialize(AnalyzeJson value) => JsonSerializer.Serialize(value, CliJsonContext.Default.AnalyzeJson);

    public static string Serialize(EvaluateJson value) => JsonSerializer.Serialize(value, CliJsonContext.Default.EvaluateJson);
}
