namespace MoodBot.Core;

/// <summary>A point in Spotify's (valence, energy) plane, both on 0..1.</summary>
public readonly record struct MoodTarget(double Valence, double Energy);

/// <summary>match: music that meets the mood; lift: the iso principle, start at the mood and move toward a calmer/happier goal.</summary>
public enum RecommendationMode
{
    Match,
    Lift,
}

/// <summary>A recommendable track. Audio features are Spotify's 0..1 scales.</summary>
public sealed record Track(
    string Id,
    string Name,
    IReadOnlyList<string> Artists,
    IReadOnlyList<string> Genres,
    int Popularity,
    double Valence,
    double Energy)
{
    public double? Danceability { get; init; }

    public double? Acousticness { get; init; }

    public double? Tempo { get; init; }

    public string Uri => $"spotify:track:{Id}";

    public string Url => $"https://open.spotify.com/track/{Id}";
}

/// <param name="UserKey">Who asks (e.g. "discord:1234"); used for no-repeat history. Null: no history.</param>
/// <param name="Exclude">Track ids never to return (e.g. "More like this" re-rolls).</param>
/// <param name="DetectedEmotion">The listener's mood as detected (or chosen); recorded in history. In lift mode the
/// target is the goal, not the mood, so the target alone would mislabel the entry.</param>
public sealed record RecommendationRequest(
    MoodTarget Target,
    RecommendationMode Mode,
    int Count,
    string? Genre = null,
    string? UserKey = null,
    IReadOnlySet<string>? Exclude = null,
    Emotion? DetectedEmotion = null);

/// <summary>The tracks, in play order, and the genres chosen when no catalog was available.</summary>
public sealed record Recommendation(IReadOnlyList<Track> Tracks, IReadOnlyList<string> Genres, string Source)
{
    /// <summary>Why <see cref="Tracks"/> is empty (<see cref="NoTracksReason.None"/> when it is not).</summary>
    public NoTracksReason NoTracks { get; init; }
}

/// <summary>Why a recommendation came back without tracks, so replies can say it in words a member understands.</summary>
public enum NoTracksReason
{
    None,

    /// <summary>No catalog and no Spotify: nothing to pick from until the operator adds a source.</summary>
    NoSource,

    /// <summary>The shipped catalog is being loaded (first start); minutes at most.</summary>
    CatalogLoading,

    /// <summary>A source exists but is failing right now (database down, Spotify erroring).</summary>
    SourceFailing,

    /// <summary>Sources answered but nothing fitted (unknown genre, every candidate heard recently).</summary>
    NothingMatched,
}

/// <summary>The recommendation core (ours: Spotify no longer serves /recommendations to new apps).</summary>
public interface IRecommender
{
    Task<Recommendation> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Finds tracks of a genre in an external service (Spotify Search, <c>genre:"…"</c>) for the catalog-free path.
/// <see cref="IsAvailable"/> is false when no credentials are configured.
/// </summary>
public interface IGenreTrackSearch
{
    bool IsAvailable { get; }

    Task<IReadOnlyList<Track>> SearchGenreAsync(string genre, int limit, int offset, CancellationToken cancellationToken);
}

/// <summary>What a member was recommended recently, so re-rolls and new photos don't repeat tracks.</summary>
public interface IRecommendationHistory
{
    Task<IReadOnlySet<string>> RecentTrackIdsAsync(string userKey, int lastRecommendations, CancellationToken cancellationToken);

    Task AddAsync(string userKey, Emotion emotion, IReadOnlyList<string> trackIds, CancellationToken cancellationToken);
}
