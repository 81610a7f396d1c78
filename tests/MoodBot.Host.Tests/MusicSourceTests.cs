using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MoodBot.Core;
using MoodBot.Music;
using MoodBot.Spotify.Tests;

namespace MoodBot.Host.Tests;

/// <summary>
/// The source order as composed by <see cref="MoodBotHost"/>: Spotify's own recommendations for apps that still have
/// them, then the catalog (the shipped tracks, seeded), then genre search; against the spec-checked fake Spotify.
/// </summary>
public sealed class MusicSourceTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-sources-");
    private FakeSpotify _spotify = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _spotify = await FakeSpotify.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _spotify.DisposeAsync();
        _spotify.AssertNoViolations();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task GrandfatheredApp_SpotifyRecommendationsFirst_CatalogPicksGetSpotifysFeatures()
    {
        using var host = await StartAsync();
        var recommender = host.Services.GetRequiredService<IRecommender>();

        var match = await recommender.RecommendAsync(new RecommendationRequest(new MoodTarget(0.2, 0.3), RecommendationMode.Match, 8), Ct);
        // Lift walks a path of targets, which /recommendations cannot: the catalog serves it, with Spotify's current features.
        var lift = await recommender.RecommendAsync(new RecommendationRequest(new MoodTarget(0.2, 0.3), RecommendationMode.Lift, 6), Ct);
        var sources = await host.Services.GetRequiredService<CatalogRecommender>().DescribeSourcesAsync(Ct);

        Assert.Equal(CatalogRecommender.SourceSpotify, match.Source);
        Assert.Equal(8, match.Tracks.Count);
        var asked = _spotify.Requests.First(r => r.Path == "/v1/recommendations");
        Assert.Equal("0.2", asked.Query["target_valence"][0]);
        Assert.Equal("0.3", asked.Query["target_energy"][0]);
        Assert.All(asked.Query["seed_genres"][0].Split(','), g => Assert.Contains(g, FakeSpotify.GenreSeeds));

        Assert.Equal(CatalogRecommender.SourceCatalog, lift.Source);
        Assert.Equal(6, lift.Tracks.Count);
        Assert.All(lift.Tracks, t => Assert.Equal(FakeSpotify.Feature(t.Id, 0), t.Valence, 6));
        // Written back: the catalog row now carries Spotify's value, not the shipped one.
        var stored = await host.Services.GetRequiredService<ITrackCatalog>().GetAsync([lift.Tracks[0].Id], Ct);
        Assert.Equal(FakeSpotify.Feature(lift.Tracks[0].Id, 0), Assert.Single(stored).Valence, 6);
        Assert.StartsWith("Spotify recommendations (granted to this app) → catalog (28356 tracks", sources, StringComparison.Ordinal);
        Assert.EndsWith("→ Spotify genre search", sources, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task NewApp_LegacyEndpointsRefused_DetectedOnceSilentlyThenTheCatalog(HttpStatusCode status)
    {
        _spotify.RecommendationsStatus = status;
        _spotify.AudioFeaturesStatus = status;
        using var host = await StartAsync();
        var recommender = host.Services.GetRequiredService<IRecommender>();
        var sources = await host.Services.GetRequiredService<CatalogRecommender>().DescribeSourcesAsync(Ct);

        var results = new List<Recommendation>();
        foreach (var (v, e) in new[] { (0.9, 0.8), (0.1, 0.3), (0.5, 0.2) })
        {
            results.Add(await recommender.RecommendAsync(new RecommendationRequest(new MoodTarget(v, e), RecommendationMode.Match, 10), Ct));
        }

        Assert.All(results, r => Assert.Equal(CatalogRecommender.SourceCatalog, r.Source));
        Assert.All(results, r => Assert.Equal(10, r.Tracks.Count));
        Assert.All(results, r => Assert.Equal(NoTracksReason.None, r.NoTracks));
        // Each legacy endpoint is asked once for the whole process, then remembered as gone.
        Assert.Equal(1, _spotify.Count("GET", "/v1/recommendations/available-genre-seeds") + _spotify.Count("GET", "/v1/recommendations"));
        Assert.Equal(1, _spotify.Count("GET", "/v1/audio-features"));
        Assert.StartsWith("Spotify recommendations: not available to this app → catalog (28356 tracks", sources, StringComparison.Ordinal);
        // The shipped features stay: a refused /audio-features changes nothing.
        var shipped = ShippedCatalog.Read(Path.Combine(AppContext.BaseDirectory, ShippedCatalog.DefaultPath)).ToDictionary(t => t.Id);
        Assert.All(results.SelectMany(r => r.Tracks), t => Assert.Equal(shipped[t.Id].Valence, t.Valence, 6));
    }

    private async Task<IHost> StartAsync()
    {
        var host = MoodBotHost.CreateBuilder(cli: true, new Dictionary<string, string?>
        {
            ["MoodBot:Storage:SqlitePath"] = Path.Combine(_dir.FullName, "moodbot.db"),
            ["MoodBot:Spotify:ClientId"] = FakeSpotify.ClientId,
            ["MoodBot:Spotify:ClientSecret"] = FakeSpotify.ClientSecret,
            ["MoodBot:Spotify:ApiBaseUrl"] = _spotify.ApiBaseUrl.ToString(),
            ["MoodBot:Spotify:AccountsBaseUrl"] = _spotify.BaseUrl.ToString(),
            ["MoodBot:Spotify:RetryBaseDelay"] = "00:00:00.010",
            ["MoodBot:Music:NoRepeatLast"] = "0",
        }).Build();
        // As a CLI verb does: the shipped catalog first, so the catalog has something to offer.
        await host.Services.GetRequiredService<CatalogSeeder>().EnsureAsync(Ct);
        Assert.Equal(CatalogSeedState.Ready, host.Services.GetRequiredService<CatalogSeeder>().Status.State);
        return host;
    }
}
