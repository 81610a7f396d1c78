using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MoodBot.Core;
using MoodBot.Storage;

namespace MoodBot.Tests;

public sealed class TrackCatalogTests
{
    private static Track T(string id, string artist, double v, double e, params string[] genres) =>
        new(id, "Song " + id[..4], [artist], genres, 50, v, e) { Danceability = 0.5, Tempo = 120 };

    private static string Id(int i) => i.ToString("D22", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task UpsertAsync_SameRowsTwice_SecondChangesNothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var tracks = Enumerable.Range(0, 250).Select(i => T(Id(i), "a" + (i % 7), i / 250.0, 1 - (i / 250.0), "pop", "dance pop")).ToList();

        Assert.Equal(250, await db.Catalog.UpsertAsync(tracks, ct));
        Assert.Equal(0, await db.Catalog.UpsertAsync(tracks, ct));
        Assert.Equal(1, await db.Catalog.UpsertAsync([tracks[3] with { Popularity = 99 }], ct));
        Assert.Equal(250, await db.Catalog.CountAsync(ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task GetAsync_AfterUpsert_ReturnsEveryField(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var t = new Track("4uLU6hMCjMI75M1A2tKUQC", "Never; Gonna", ["Rick Astley", "Someone Else"], ["dance pop", "80s"], 77, 0.912, 0.31)
        {
            Danceability = 0.72, Acousticness = null, Tempo = 113.3,
        };
        await db.Catalog.UpsertAsync([t], ct);

        var back = Assert.Single(await db.Catalog.GetAsync(["4uLU6hMCjMI75M1A2tKUQC", "0000000000000000000000"], ct));
        Assert.Equal(t.Name, back.Name);
        Assert.Equal(t.Artists, back.Artists);
        Assert.Equal(t.Genres, back.Genres);
        Assert.Equal((t.Popularity, t.Valence, t.Energy, t.Danceability, t.Acousticness, t.Tempo),
            (back.Popularity, back.Valence, back.Energy, back.Danceability, back.Acousticness, back.Tempo));
        var streamed = new List<Track>();
        await foreach (var s in db.Catalog.StreamAsync(ct))
        {
            streamed.Add(s);
        }

        Assert.Equal(t.Id, Assert.Single(streamed).Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task UpsertAsync_LaterRowWithoutGenresOrFeatures_KeepsEarlierValues(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var full = T(Id(1), "x", 0.4, 0.6, "rock");
        await db.Catalog.UpsertAsync([full], ct);

        // data_moods.csv has no genre column: its rows must not wipe genres another file supplied.
        var changed = await db.Catalog.UpsertAsync([full with { Genres = [], Popularity = 10, Danceability = null, Tempo = null }], ct);

        var back = Assert.Single(await db.Catalog.GetAsync([full.Id], ct));
        Assert.Equal(1, changed);
        Assert.Equal(["rock"], back.Genres);
        Assert.Equal(10, back.Popularity);
        Assert.Equal(0.5, back.Danceability);
        Assert.Equal(120, back.Tempo);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task UpsertAsync_DuplicateIdsInOneBatch_LastWins(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;

        await db.Catalog.UpsertAsync([T(Id(5), "a", 0.1, 0.1), T(Id(5), "b", 0.9, 0.9)], ct);

        var back = Assert.Single(await db.Catalog.GetAsync([Id(5)], ct));
        Assert.Equal(0.9, back.Valence);
        Assert.Equal(["b"], back.Artists);
    }
}

public sealed class HistoryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RecentTrackIdsAsync_LastTwo_UnionOfNewestTwoOnly(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        await db.History.AddAsync("discord:1", Emotion.Sad, ["a", "b"], ct);
        await db.History.AddAsync("discord:1", Emotion.Sad, ["c"], ct);
        await db.History.AddAsync("discord:1", Emotion.Happy, ["d", "e"], ct);
        await db.History.AddAsync("discord:2", Emotion.Happy, ["z"], ct);

        var recent = await db.History.RecentTrackIdsAsync("discord:1", 2, ct);

        Assert.Equal(["c", "d", "e"], recent.Order(StringComparer.Ordinal));
        Assert.Empty(await db.History.RecentTrackIdsAsync("discord:3", 5, ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AddAsync_BeyondKeepLimit_PrunesOldest(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 8; i++)
        {
            await db.History.AddAsync("u", Emotion.Neutral, ["t" + i], ct);
        }

        await using var ctx = db.Factory.CreateDbContext();
        var kept = await ctx.RecommendationHistory.Where(h => h.UserKey == "u").Select(h => h.TrackIds).ToListAsync(ct);
        Assert.Equal(["t3", "t4", "t5", "t6", "t7"], kept.Order(StringComparer.Ordinal));
    }
}

public sealed class SpotifyLinkStoreTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TakeStateAsync_Twice_SecondReturnsNull(string provider)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var db = await TestDatabase.CreateAsync(provider, time);
        var ct = TestContext.Current.CancellationToken;
        var state = new OAuthState("s1", "42", "cipher-verifier", time.GetUtcNow().AddMinutes(10));
        await db.Links.SaveStateAsync(state, ct);

        Assert.Equal(state, await db.Links.TakeStateAsync("s1", ct));
        Assert.Null(await db.Links.TakeStateAsync("s1", ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TakeStateAsync_Expired_ReturnedOnceSoTheCallerCanSayExpired(string provider)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var db = await TestDatabase.CreateAsync(provider, time);
        var ct = TestContext.Current.CancellationToken;
        await db.Links.SaveStateAsync(new OAuthState("old", "42", "v", time.GetUtcNow().AddMinutes(10)), ct);
        time.Advance(TimeSpan.FromMinutes(11));
        // Another member's link sweeps states, but not one expired only a minute ago.
        await db.Links.SaveStateAsync(new OAuthState("new", "43", "v", time.GetUtcNow().AddMinutes(10)), ct);

        var taken = await db.Links.TakeStateAsync("old", ct);
        Assert.Equal("42", taken?.DiscordUserId);
        Assert.True(taken!.ExpiresAt < time.GetUtcNow());
        Assert.Null(await db.Links.TakeStateAsync("old", ct));
        Assert.NotNull(await db.Links.TakeStateAsync("new", ct));
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ctx.OAuthStates.CountAsync(ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TakeStateAsync_ManyConcurrentInstances_ExactlyOneWins(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        await db.Links.SaveStateAsync(new OAuthState("race", "7", "v", DateTimeOffset.UtcNow.AddMinutes(5)), ct);

        // An in-memory SQLite database has one connection, so its calls are serialised; PostgreSQL races for real.
        var stores = Enumerable.Range(0, 8).Select(_ => provider == "sqlite" ? db.Links : db.SecondInstance().Links).ToList();
        var results = provider == "sqlite"
            ? await SequentialAsync(stores, ct)
            : await Task.WhenAll(stores.Select(s => Task.Run(() => s.TakeStateAsync("race", ct), ct)));

        Assert.Single(results, r => r is not null);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SaveAccountAsync_ThenRelink_GetReturnsLatestAndDeleteRemoves(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000);
        await db.Links.SaveAccountAsync(new LinkedAccount("42", "cipher-1", at), ct);
        Assert.Null((await db.Links.GetAccountAsync("42", ct))!.Scopes); // a link from before scopes were recorded
        await db.Links.SaveAccountAsync(new LinkedAccount("42", "cipher-2", at.AddDays(1), "playlist-modify-private user-modify-playback-state"), ct);

        // The relink replaces the scopes too: a member who re-linked for playback must not keep reading as lacking it.
        Assert.Equal(new LinkedAccount("42", "cipher-2", at.AddDays(1), "playlist-modify-private user-modify-playback-state"),
            await db.Links.GetAccountAsync("42", ct));
        Assert.True(await db.Links.DeleteAccountAsync("42", ct));
        Assert.False(await db.Links.DeleteAccountAsync("42", ct));
        Assert.Null(await db.Links.GetAccountAsync("42", ct));
    }

    private static async Task<OAuthState?[]> SequentialAsync(List<EfSpotifyLinkStore> stores, CancellationToken ct)
    {
        var results = new List<OAuthState?>();
        foreach (var s in stores)
        {
            results.Add(await s.TakeStateAsync("race", ct));
        }

        return [.. results];
    }
}

public sealed class StorageRegistrationTests
{
    [Fact]
    public void AddStorage_PostgresWithoutConnectionString_FailsAtStart()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("MoodBot:Storage:Provider", "Postgres")]);
        builder.AddStorage();
        using var host = builder.Build();

        var e = Assert.Throws<OptionsValidationException>(() => { _ = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value; });
        Assert.Contains("ConnectionString", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddStorage_SqliteFile_CreatesDatabaseAndServesStores()
    {
        var dir = Directory.CreateTempSubdirectory("moodbot-reg-");
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection([new("MoodBot:Storage:SqlitePath", Path.Combine(dir.FullName, "sub", "bot.db"))]);
            builder.AddStorage();
            using var host = builder.Build();
            var ct = TestContext.Current.CancellationToken;
            await host.StartAsync(ct);

            Assert.Equal(0, await host.Services.GetRequiredService<ITrackCatalog>().CountAsync(ct));
            Assert.Null(await host.Services.GetRequiredService<ISpotifyLinkStore>().GetAccountAsync("1", ct));
            Assert.True(File.Exists(Path.Combine(dir.FullName, "sub", "bot.db")));
            await host.StopAsync(ct);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }
}
