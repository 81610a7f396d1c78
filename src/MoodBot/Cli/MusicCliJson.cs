using System.Text.Json;
using System.Text.Json.Serialization;
using MoodBot.Core;
using MoodBot.Music;

namespace MoodBot.Cli;

public sealed record TrackJson(string Id, string Name, IReadOnlyList<string> Artists, double Valence, double Energy, string Url);

public sealed record RecommendJson(double Valence, double Energy, string Mode, string Source, IReadOnlyList<string> Genres,
    IReadOnlyList<TrackJson> Tracks);

public sealed record ImportJson(string File, string Layout, int Rows, int Accepted, int Rejected, long Inserted, long Updated, long Unchanged,
    IReadOnlyDictionary<string, int> RejectedBy, IReadOnlyList<string> Examples, double Seconds, long CatalogSize);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(RecommendJson))]
[JsonSerializable(typeof(ImportJson))]
internal sealed partial class MusicCliJsonContext : JsonSerializerContext;

internal static class MusicCliJson
{
    public static TrackJson ToJson(this Track t) =>
        new(t.Id, t.Name, t.Artists, Math.Round(t.Valence, 3), Math.Round(t.Energy, 3), t.Url);

    public static string ModeName(this RecommendationMode mode) => mode == RecommendationMode.Lift ? "lift" : "match";

    public static string Serialize(RecommendJson value) => JsonSerializer.Serialize(value, MusicCliJsonContext.Default.RecommendJson);

    public static string Serialize(CatalogImportReport r) => JsonSerializer.Serialize(
        new ImportJson(r.File, r.Layout, r.Rows, r.Accepted, r.Rejected, r.Inserted, r.Updated, r.Unchanged, r.RejectedBy, r.Examples,
            Math.Round(r.Elapsed.TotalSeconds, 2), r.CatalogSize),
        MusicCliJsonContext.Default.ImportJson);

    /// <summary>Parses "match" | "lift" (case-insensitive).</summary>
    public static bool TryParseMode(string? text, out RecommendationMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "match": mode = RecommendationMode.Match; return true;
            case "lift": mode = RecommendationMode.Lift; return true;
            default: mode = default; return false;
        }
    }
}
