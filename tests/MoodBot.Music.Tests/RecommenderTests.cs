using MoodBot.Core;
using MoodBot.Music;

namespace MoodBot.Tests;

public sealed class RecommenderTests
{
    private static readonly MoodTarget Sad = MoodMapper.Coordinates(Emotion.Sad);

    /// <summary>A grid of tracks over the plane; artist i % artists, genre by quadrant.</summary>
    private static List<Track> Grid(int side, int artists)
    {
        var list = new List<Track>();
        for (var i = 0; i < side * side; i++)
        {
            var v = (i % side + 0.5) / side;
            var e = (i / side + 0.5) / side;
            list.Add(new Track(i.ToString("D22", System.Globalization.CultureInfo.InvariantCulture), "t" + i, ["artist " + (i % artists)],
                [v < 0.5 ? "blues" : "disco"], i % 100, v, e));
        }

        return list;
    }

    [Fact]
    public async Task RecommendAsync_Match_AtMostOneTrackPerArtist()
    {
        using var r = Recommenders.Create(new ListCatalog(Grid(40, 6)));

        var rec = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 10), TestContext.Current.CancellationToken);

        Assert.Equal(CatalogRecommender.SourceCatalog, rec.Source);
        Assert.Equal(6, rec.Tracks.Count);
        Assert.Equal(rec.Tracks.Count, rec.Tracks.SelectMany(t => t.Artists).Distinct().Count());
    }

    [Fact]
    public async Task RecommendAsync_Match_ReturnsTracksNearTargetBeforeFarOnes()
    {
        using var r = Recommenders.Create(new ListCatalog(Grid(40, 1000)));

        var rec = await r.RecommendAsync(new RecommendationRequest(new MoodTarget(0.8, 0.2), RecommendationMode.Match, 10),
            TestContext.Current.CancellationToken);

        Assert.All(rec.Tracks, t => Assert.True(Math.Abs(t.Valence - 0.8) < 0.1 && Math.Abs(t.Energy - 0.2) < 0.1, $"{t.Valence},{t.Energy}"));
    }

    [Fact]
    public async Task RecommendAsync_ExcludeAndHistory_NoRepeatsForSameUser()
    {
        var history = new MemoryHistory();
        using var r = Recommenders.Create(new ListCatalog(Grid(30, 900)), history: history);
        var ct = TestContext.Current.CancellationToken;
        var first = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 10, UserKey: "u1"), ct);
        var excluded = new HashSet<string> { "0000000000000000000000" };

        var second = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 10, UserKey: "u1", Exclude: excluded), ct);
        var otherUser = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 10, UserKey: "u2"), ct);

        Assert.Empty(first.Tracks.Select(t => t.Id).Intersect(second.Tracks.Select(t => t.Id)));
        Assert.DoesNotContain(second.Tracks, t => excluded.Contains(t.Id));
        Assert.Equal(first.Tracks.Select(t => t.Id), otherUser.Tracks.Select(t => t.Id));
    }

    [Fact]
    public async Task RecommendAsync_LiftWithDetectedEmotion_HistoryRecordsTheMoodNotTheGoal()
    {
        // Regression: lift's target is the calm/happy goal, so labelling history by the target said "happy" for a sad member.
        var history = new MemoryHistory();
        using var r = Recommenders.Create(new ListCatalog(Grid(30, 900)), history: history);
        var ct = TestContext.Current.CancellationToken;
        var goal = new MoodTarget(0.8, 0.5);

        await r.RecommendAsync(new RecommendationRequest(goal, RecommendationMode.Lift, 5, UserKey: "u1", DetectedEmotion: Emotion.Sad), ct);
        await r.RecommendAsync(new RecommendationRequest(goal, RecommendationMode.Match, 5, UserKey: "u2"), ct);

        Assert.Equal([Emotion.Sad, Emotion.Happy], history.Emotions);
    }

    [Fact]
    public async Task RecommendAsync_GenreFilter_OnlyThatGenre()
    {
        using var r = Recommenders.Create(new ListCatalog(Grid(30, 900)));

        // The target sits in "blues" territory (low valence); the filter must still return only disco.
        var rec = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 10, Genre: "Disco"), TestContext.Current.CancellationToken);

        Assert.Equal(10, rec.Tracks.Count);
        Assert.All(rec.Tracks, t => Assert.Equal(["disco"], t.Genres));
    }

    [Fact]
    public async Task RecommendAsync_Lift_ValenceRisesAlongTheList()
    {
        using var r = Recommenders.Create(new ListCatalog(Grid(40, 1600)));

        var rec = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Lift, 8), TestContext.Current.CancellationToken);

        Assert.Equal(8, rec.Tracks.Count);
        Assert.True(rec.Tracks[0].Valence < 0.1);
        Assert.True(rec.Tracks[^1].Valence > 0.7);
        for (var i = 1; i < rec.Tracks.Count; i++)
        {
            Assert.True(rec.Tracks[i].Valence >= rec.Tracks[i - 1].Valence);
        }
    }

    [Fact]
    public async Task RecommendAsync_NoCatalogWithSearch_UsesNearestGenresWithSmallRandomPages()
    {
        var search = new FakeGenreSearch();
        var options = new MusicOptions { FallbackGenres = 3, SearchMaxOffset = 40 };
        using var r = Recommenders.Create(null, search, options: options);

        var rec = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 25), TestContext.Current.CancellationToken);

        var profiles = GenreProfiles.LoadEmbedded();
        var expected = profiles.Nearest(Sad, 3).Select(p => p.Genre).ToList();
        Assert.Equal(CatalogRecommender.SourceGenreSearch, rec.Source);
        Assert.Equal(expected, rec.Genres);
        Assert.Equal(expected, search.Calls.Select(c => c.Genre));
        Assert.All(search.Calls, c => Assert.InRange(c.Limit, 1, 10));
        Assert.All(search.Calls, c => Assert.InRange(c.Offset, 0, 40));
        Assert.NotEmpty(rec.Tracks);
        Assert.Equal(rec.Tracks.Count, rec.Tracks.SelectMany(t => t.Artists).Distinct().Count());

        // The chosen genres really are low-valence ones.
        Assert.True(expected.Average(g => profiles.All.Single(p => p.Genre == g).Valence) < profiles.All.Average(p => p.Valence));
    }

    [Fact]
    public async Task RecommendAsync_NeitherCatalogNorSearch_ReturnsGenresOnly()
    {
        using var r = Recommenders.Create(new ListCatalog([]), new FakeGenreSearch(available: false));

        var rec = await r.RecommendAsync(new RecommendationRequest(MoodMapper.Coordinates(Emotion.Happy), RecommendationMode.Lift, 10),
            TestContext.Current.CancellationToken);

        Assert.Equal(CatalogRecommender.SourceGenresOnly, rec.Source);
        Assert.Empty(rec.Tracks);
        Assert.NotEmpty(rec.Genres);
    }

    [Fact]
    public async Task RecommendAsync_CatalogThrows_FallsBackToGenres()
    {
        using var r = Recommenders.Create(new ListCatalog(Grid(10, 10)) { Fail = true });

        var rec = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 5), TestContext.Current.CancellationToken);

        Assert.Equal(CatalogRecommender.SourceGenresOnly, rec.Source);
        Assert.Equal(3, rec.Genres.Count);
    }

    /// <summary>
    /// Regression (PostgreSQL restarted mid-run, tests/MoodBot.Faults.Tests): with the index already in memory, reading
    /// the picked rows threw, and the member got the catch-all apology instead of the genre fallback.
    /// </summary>
    [Fact]
    public async Task RecommendAsync_DatabaseFailsAfterTheIndexIsBuilt_FallsBackToGenreSearch()
    {
        var catalog = new ListCatalog(Grid(10, 10));
        var search = new FakeGenreSearch();
        using var r = Recommenders.Create(catalog, search);
        var first = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 5), TestContext.Current.CancellationToken);
        Assert.Equal(CatalogRecommender.SourceCatalog, first.Source);

        catalog.Fail = true;
        var rec = await r.RecommendAsync(new RecommendationRequest(Sad, RecommendationMode.Match, 5), TestContext.Current.CancellationToken);

        Assert.Equal(CatalogRecommender.SourceGenreSearch, rec.Source);
        Assert.NotEmpty(rec.Tracks);
        Assert.Equal(3, search.Calls.Count); // one search per chosen genre
    }
}
