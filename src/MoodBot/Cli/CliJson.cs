using System.Text.Json;
using System.Text.Json.Serialization;
using MoodBot.Core;

namespace MoodBot.Cli;

public sealed record BoxJson(int X, int Y, int Width, int Height);

public sealed record FaceJson(BoxJson Box, string Emotion, double Confidence, Dictionary<string, double> Probabilities);

public sealed record MoodJson(string Emotion, Dictionary<string, double> Probabilities, double Valence, double Energy, string Mode);

public sealed record AnalyzeJson(IReadOnlyList<FaceJson> Faces, MoodJson? Mood, IReadOnlyList<TrackJson> Tracks, IReadOnlyList<string> Genres,
    string? Source);

/// <summary>The music half of an analysis: the mood's target, the mode, and what was recommended.</summary>
public sealed record MusicResult(MoodTarget Target, RecommendationMode Mode, Recommendation Recommendation);

public sealed record ClassStatsJson(int Images, double Recall, double Precision);

public sealed record EvaluateJson(int Images, double Accuracy, Dictionary<string, ClassStatsJson> PerClass, IReadOnlyList<string> Classes,
    int[][] Confusion, double Seconds, int NoFace);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(AnalyzeJson))]
[JsonSerializable(typeof(EvaluateJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

internal static class CliJsonMapping
{
    public static Dictionary<string, double> ToJson(this EmotionProbabilities p) =>
        p.Pairs().ToDictionary(kv => kv.Key.Name(), kv => Math.Round(kv.Value, 4));

    public static AnalyzeJson ToJson(this PhotoAnalysis a, MusicResult? music = null) => new(
        a.Faces.Select(f => new FaceJson(new BoxJson(f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height), f.Emotion.Name(),
            Math.Round(f.Confidence, 4), f.Probabilities.ToJson())).ToList(),
        a.Mood is { } m
            ? new MoodJson(m.Emotion.Name(), m.Probabilities.ToJson(), Math.Round(music?.Target.Valence ?? MoodBot.Music.MoodMapper.ToTarget(m.Probabilities).Valence, 4),
                Math.Round(music?.Target.Energy ?? MoodBot.Music.MoodMapper.ToTarget(m.Probabilities).Energy, 4), (music?.Mode ?? RecommendationMode.Match).ModeName())
            : null,
        music?.Recommendation.Tracks.Select(t => t.ToJson()).ToList() ?? [],
        music?.Recommendation.Genres ?? [],
        music?.Recommendation.Source);

    public static string Serialize(AnalyzeJson value) => JsonSerializer.Serialize(value, CliJsonContext.Default.AnalyzeJson);

    public static string Serialize(EvaluateJson value) => JsonSerializer.Serialize(value, CliJsonContext.Default.EvaluateJson);
}
