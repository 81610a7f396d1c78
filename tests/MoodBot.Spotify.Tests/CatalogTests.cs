using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;

namespace MoodBot.Spotify.Tests;

public sealed class CatalogTests : SpotifyTestBase
{
    private ITrackFeatureSource Features => Bot.Services.GetRequiredService<ITrackFeatureSource>();

    private IMoodRecommendationSource Recommendations => Bot.Services.GetRequiredService<IMoodRecommendationSource>();

    [Fact]
    public async Task SearchGenre_25Tracks_PagesOfTenByOffset()
    {
        Fake.AudioFeaturesStatus = HttpStatusCode.Forbidden;
        var tracks = await Bot.Search.SearchGenreAsync("indie pop", 25, 3, Ct);
        Assert.Equal(25, tracks.Count);
        var searches = Fake.Requests.Where(r => r.Path == "/v1/search").ToList();
        Assert.Equal(["10", "10", "5"], searches.Select(r => r.Query["limit"][0]));
        Assert.Equal(["3", "13", "23"], searches.Select(r => r.Query["offset"][0]));
        Assert.All(searches, r => Assert.Equal("genre:\"indie pop\"", r.Query["q"][0]));
        Assert.Equal(FakeSpotify.Id("indie pop", 3), tracks[0].Id);
        Assert.All(tracks, t => Assert.Equal(["indie pop"], t.Genres));
        Assert.Equal(25, tracks.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public async Task SearchGenre_NoFeatures_NeutralEstimatesAndNullTempo()
    {
        Fake.AudioFeaturesStatus = HttpStatusCode.Forbidden;
        var tracks = await Bot.Search.SearchGenreAsync("rock", 3, 0, Ct);
        Assert.All(tracks, t =>
        {
            Assert.Equal(SpotifyCatalog.UnknownFeature, t.Valence);
            Assert.Equal(SpotifyCatalog.UnknownFeature, t.Energy);
            Assert.Null(t.Tempo);
        });
    }

    [Fact]
    public async Task SearchGenre_EndOfResults_StopsPaging()
    {
        Fake.TracksPerGenre = 12;
        var tracks = await Bot.Search.SearchGenreAsync("jazz", 40, 0, Ct);
        Assert.Equal(12, tracks.Count);
        Assert.Equal(2, Fake.Count("GET", "/v1/search"));
    }

    [Fact]
    public async Task SearchGenre_GrandfatheredApp_EnrichedFromAudioFeatures()
    {
        var tracks = await Bot.Search.SearchGenreAsync("soul", 4, 0, Ct);
        Assert.All(tracks, t =>
        {
            Assert.Equal(FakeSpotify.Feature(t.Id, 0), t.Valence, 6);
            Assert.Equal(FakeSpotify.Feature(t.Id, 1), t.Energy, 6);
            Assert.NotNull(t.Tempo);
        });
        Assert.Equal(1, Fake.Count("GET", "/v1/audio-features"));
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task Enrich_EndpointGone_RememberedOnceAndSilent(HttpStatusCode status)
    {
        Fake.AudioFeaturesStatus = status;
        var input = await Bot.Search.SearchGenreAsync("soul", 4, 0, Ct);
        var again = await Features.EnrichAsync(input, Ct);
        Assert.Same(input, again);
        Assert.Equal(1, Fake.Count("GET", "/v1/audio-features"));
        Assert.Single(Bot.Logs.GetSnapshot(), r => r.Id.Id == 4002);
    }

    [Fact]
    public async Task Enrich_Transient5xx_KeepsEstimatesAndTriesAgainLater()
    {
        Fake.AudioFeaturesStatus = null;
        Fake.Fail("GET", "/v1/audio-features", HttpStatusCode.InternalServerError, times: 4);
        var tracks = await Bot.Search.SearchGenreAsync("soul", 2, 0, Ct);
        Assert.All(tracks, t => Assert.Null(t.Tempo));
        var enriched = await Features.EnrichAsync(tracks, Ct);
        Assert.All(enriched, t => Assert.NotNull(t.Tempo));
    }

    [Fact]
    public async Task Recommend_GrandfatheredApp_UsesTargetsAndSeeds()
    {
        var tracks = await Recommendations.RecommendAsync(new MoodTarget(0.8, 0.65), ["pop", "dance"], 7, Ct);
        Assert.NotNull(tracks);
        Assert.Equal(7, tracks.Count);
        var request = Assert.Single(Fake.Requests, r => r.Path == "/v1/recommendations");
        Assert.Equal("0.8", request.Query["target_valence"][0]);
        Assert.Equal("0.65", request.Query["target_energy"][0]);
        Assert.Equal("pop,dance", request.Query["seed_genres"][0]);
        Assert.All(tracks, t => Assert.Equal(FakeSpotify.Feature(t.Id, 0), t.Valence, 6));
    }

    [Fact]
    public async Task Recommend_CatalogGenreTags_MappedOntoSpotifysSeedNamesAndTheListFetchedOnce()
    {
        var first = await Recommendations.RecommendAsync(new MoodTarget(0.3, 0.4), ["r&b", "dance pop", "neo soul", "big room"], 5, Ct);
        var second = await Recommendations.RecommendAsync(new MoodTarget(0.7, 0.4), ["hip hop"], 5, Ct);
        var none = await Recommendations.RecommendAsync(new MoodTarget(0.7, 0.4), ["vaporwave"], 5, Ct);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(none);
        var asked = Fake.Requests.Where(r => r.Path == "/v1/recommendations").Select(r => r.Query["seed_genres"][0]).ToList();
        Assert.Equal(["r-n-b,dance,pop", "hip-hop"], asked);
        Assert.Equal(1, Fake.Count("GET", "/v1/recommendations/available-genre-seeds"));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Recommend_NewApp_NullAndNeverAskedAgain(HttpStatusCode status)
    {
        Fake.RecommendationsStatus = status;
        Assert.Null(await Recommendations.RecommendAsync(new MoodTarget(0.2, 0.3), ["blues"], 5, Ct));
        Assert.Null(await Recommendations.RecommendAsync(new MoodTarget(0.2, 0.3), ["blues"], 5, Ct));
        // The first legacy call (the seed list) is refused and remembered: nothing is asked again.
        Assert.Equal(1, Fake.Count("GET", "/v1/recommendations/available-genre-seeds") + Fake.Count("GET", "/v1/recommendations"));
        Assert.Single(Bot.Logs.GetSnapshot(), r => r.Id.Id == 4002 && r.Level == Microsoft.Extensions.Logging.LogLevel.Information);
    }
}
