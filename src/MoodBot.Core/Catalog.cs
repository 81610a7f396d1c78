namespace MoodBot.Core;

/// <summary>
/// The local track catalog (implemented in MoodBot.Storage). The recommender streams it once into an in-memory index
/// and asks for full rows only for the handful of tracks it returns.
/// </summary>
public interface ITrackCatalog
{
    /// <summary>Number of tracks; cheap, used to notice an empty catalog and a re-import.</summary>
    Task<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>Every track, in no particular order; consumers keep only what they need, so memory stays bounded.</summary>
    IAsyncEnumerable<Track> StreamAsync(CancellationToken cancellationToken);

    /// <summary>The full rows for these ids (missing ids are skipped), in no particular order.</summary>
    Task<IReadOnlyList<Track>> GetAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>Upserts a batch in one transaction; returns how many rows were inserted or changed (identical rows count 0).</summary>
    Task<int> UpsertAsync(IReadOnlyList<Track> tracks, CancellationToken cancellationToken);
}
