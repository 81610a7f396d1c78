using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Storage;

namespace MoodBot.Storage.Tests;

/// <summary>Seeding an empty catalog: idempotent, once between instances, finished after an interruption, never over an import.</summary>
public sealed class SeedingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>More rows than one SQLite seed batch, so the batched path and its resume rule are exercised.</summary>
    private static List<Track> Tracks(int count) => Enumerable.Range(0, count)
        .Select(i => new Track(Id(i), $"Song {i}", [$"Artist {i % 300}"], ["pop", "dance pop"], i % 101, (i % 97) / 96.0, (i % 89) / 88.0))
        .ToList();

    // Sortable 22-character base-62 ids ("0000…0042"), as the shipped file is sorted by id.
    private static string Id(int i) => i.ToString("D22", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SeedIfEmpty_Twice_SecondCallWritesNothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tracks = Tracks(EfTrackCatalog.SeedBatchRows + 500);

        var first = await db.Catalog.SeedIfEmptyAsync(tracks, null, background: false, Ct);
        var second = await db.Catalog.SeedIfEmptyAsync(tracks, null, background: false, Ct);

        Assert.Equal(new CatalogSeedResult(true, tracks.Count, tracks.Count), first);
        Assert.Equal(new CatalogSeedResult(false, 0, tracks.Count), second);
        var row = Assert.Single(await db.Catalog.GetAsync([tracks[7].Id], Ct));
        Assert.Equal(tracks[7].Name, row.Name);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SeedIfEmpty_CatalogAlreadyImported_LeavesItAlone(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Catalog.UpsertAsync([new Track("4uLU6hMCjMI75M1A2tKUQC", "Imported", ["Someone"], [], 50, 0.5, 0.5)], Ct);

        var result = await db.Catalog.SeedIfEmptyAsync(Tracks(50), null, background: false, Ct);

        Assert.Equal(new CatalogSeedResult(false, 0, 1), result);
        Assert.Equal(1, await db.Catalog.CountAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SeedIfEmpty_EarlierSeedCutShort_FinishesIt(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tracks = Tracks(EfTrackCatalog.SeedBatchRows * 2 + 10);
        // What an interrupted SQLite seed leaves: the first batch committed, the rest missing.
        await db.Catalog.UpsertAsync(tracks.Take(EfTrackCatalog.SeedBatchRows).ToList(), Ct);

        var result = await db.Catalog.SeedIfEmptyAsync(tracks, null, background: false, Ct);

        Assert.True(result.Seeded);
        Assert.Equal(tracks.Count - EfTrackCatalog.SeedBatchRows, result.Written);
        Assert.Equal(tracks.Count, await db.Catalog.CountAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.RacingProviders), MemberType = typeof(TestDatabase))]
    public async Task SeedIfEmpty_InstancesStartingTogether_ExactlyOneSeeds(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tracks = Tracks(EfTrackCatalog.SeedBatchRows * 3);
        // Independent stores over one database, as separate bot instances have (each its own migrator and connections).
        var instances = Enumerable.Range(0, 4)
            .Select(_ => new EfTrackCatalog(db.Factory, TestDatabase.NewMigrator(db.Factory), Options.Create(new StorageOptions())))
            .ToList();

        var results = await Task.WhenAll(instances.Select(c => Task.Run(() => c.SeedIfEmptyAsync(tracks, null, background: true, Ct), Ct)));

        var winner = Assert.Single(results, r => r.Seeded);
        Assert.Equal(tracks.Count, winner.Written);
        Assert.All(results.Where(r => !r.Seeded), r => Assert.Equal(new CatalogSeedResult(false, 0, tracks.Count), r));
        Assert.Equal(tracks.Count, await db.Catalog.CountAsync(Ct));
    }
}
