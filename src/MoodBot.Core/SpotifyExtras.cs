namespace MoodBot.Core;

/// <summary>
/// Audio features (valence, energy, …) from an external service. Spotify closed <c>/audio-features</c> to apps
/// created after November 2024, so this is a bonus for grandfathered apps: when it is unavailable the tracks come back
/// unchanged and callers keep their own estimates.
/// </summary>
public interface ITrackFeatureSource
{
    /// <summary>The same tracks, in the same order, with features filled in where the service knows them.</summary>
    Task<IReadOnlyList<Track>> EnrichAsync(IReadOnlyList<Track> tracks, CancellationToken cancellationToken);
}

/// <summary>
/// Spotify's own <c>/recommendations</c> (target valence/energy, seed genres), which only grandfathered apps still get.
/// Returns null when the service does not offer it (remembered process-wide), so callers fall back to our recommender.
/// </summary>
public interface IMoodRecommendationSource
{
    Task<IReadOnlyList<Track>?> RecommendAsync(MoodTarget target, IReadOnlyList<string> seedGenres, int limit,
        CancellationToken cancellationToken);
}

/// <summary>How MoodBot names the playlists it saves in a member's Spotify account.</summary>
public static class PlaylistNaming
{
    /// <summary>"MoodBot · happy · 2026-11-25" (the date is the caller's, usually UTC today).</summary>
    public static string Name(Emotion emotion, DateTimeOffset date) =>
        $"MoodBot · {emotion.Name()} · {date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}";

    public static string Description(Emotion emotion, RecommendationMode mode) => mode switch
    {
        RecommendationMode.Lift => $"Made by MoodBot for a {emotion.Name()} mood, lifting it step by step.",
        _ => $"Made by MoodBot to match a {emotion.Name()} mood.",
    };
}
