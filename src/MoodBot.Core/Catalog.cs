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

/// <summary>What <see cref="ICatalogSeeding.SeedIfEmptyAsync"/> did.</summary>
/// <param name="Seeded">True when this call wrote the tracks; false when the catalog already had them (another
/// instance seeded it, an earlier start did, or the operator imported a catalog first).</param>
/// <param name="Written">Rows inserted or changed by this call.</param>
/// <param name="CatalogSize">Tracks in the catalog afterwards.</param>
public sealed record CatalogSeedResult(bool Seeded, long Written, long CatalogSize);

/// <summary>
/// Fills an empty catalog with a default track list, once, even when several instances sharing one database start
/// together (implemented in MoodBot.Storage with a database lock).
/// </summary>
public interface ICatalogSeeding
{
    /// <summary>
    /// Writes <paramref name="tracks"/> when the catalog is empty, or when an earlier seed from the same list stopped
    /// part-way (its first track is there and its last is not); otherwise leaves the catalog alone.
    /// </summary>
    /// <param name="progress">Rows written so far (on providers that write in several transactions).</param>
    /// <param name="background">True while the bot serves members: on a single-writer database, leave room between
    /// batches for their writes (slower seed); false for a CLI verb that waits for it.</param>
    Task<CatalogSeedResult> SeedIfEmptyAsync(IReadOnlyList<Track> tracks, IProgress<long>? progress, bool background,
        CancellationToken cancellationToken);
}
