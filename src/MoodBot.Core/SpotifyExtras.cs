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
