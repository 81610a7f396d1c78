using Microsoft.Extensions.Logging.Abstractions;
using MoodBot.Music;

namespace MoodBot.Tests;

public sealed class CatalogImportTests
{
    // Expected counts come from shared/datasets/music/MANIFEST.md (rows, unique ids, the one row without valence).
    [Theory]
    [InlineData("tidytuesday_spotify_songs.csv", "tidytuesday-2020", 32833, 28356)]
    [InlineData("spotify_tracks_114k_popular_sample.csv", "spotify-tracks-114k", 2024, 2024)]
    [InlineData("data_moods.csv", "data-moods", 686, 686)]
    [InlineData("spotify_music_dataset_high_popularity.csv", "spotify-music-dataset-2024", 1686, 1437)]
    [InlineData("spotify_music_dataset_low_popularity.csv", "spotify-music-dataset-2024", 3145, 3100)]
    [InlineData("catalog_merged_derived.csv", "moodbot-merged", 34157, 34157)]
    public async Task ImportAsync_SharedFile_ReportsCountsAndReimportChangesNothing(string file, string layout, int rows, int accepted)
    {
        var path = SharedData.Path("datasets/music/" + file);
        await using var db = await TestDatabase.CreateAsync("sqlite");
        var importer = new CatalogImporter(db.Catalog, NullLogger<CatalogImporter>.Instance);
        var ct = TestContext.Current.CancellationToken;

        var first = await importer.ImportAsync(path, ct);
        var second = await importer.ImportAsync(path, ct);

        Assert.Equal((layout, rows, accepted, rows - accepted), (first.Layout, first.Rows, first.Accepted, first.Rejected));
        Assert.Equal(accepted, first.Inserted);
        Assert.Equal(first.Rejected, first.RejectedBy.Values.Sum());
        Assert.Equal((0L, 0L, (long)accepted), (second.Inserted, second.Updated, second.Unchanged));
        Assert.Equal(accepted, await db.Catalog.CountAsync(ct));
    }

    [Fact]
    public void Records_BadRows_RejectedWithReasons()
    {
        const string csv = """
            track_id,track_name,artists,popularity,valence,energy,danceability,track_genre
            2IVsRhKrx8hlQBOWy4qebo,Good,A;B,79,0.488,0.526,0.6,indie-pop
            short,Bad id,A,1,0.5,0.5,0.5,pop
            5Odq8ohlgIbQKMZivbWkEo,Too happy,A,1,1.5,0.5,0.5,pop
            4jbmgIyjGoXjY01XxatOx6,No artist,,1,0.5,0.5,0.5,pop
            1jbmgIyjGoXjY01XxatOx6,Loud,A,1,0.5,-0.1,0.5,pop
            3jbmgIyjGoXjY01XxatOx6,Famous,A,101,0.5,0.5,0.5,pop
            6jbmgIyjGoXjY01XxatOx6,Short row,A
            """;
        using var reader = CatalogCsv.Open(new StringReader(csv));

        var records = reader.Records().ToList();

        Assert.Equal("spotify-tracks-114k", reader.Layout);
        var good = Assert.Single(records, r => r.Track is not null).Track!;
        Assert.Equal(["A", "B"], good.Artists);
        Assert.Equal(["indie-pop"], good.Genres);
        Assert.Equal(
            ["invalid id (want 22 base-62 characters)", "valence missing or outside [0,1]", "missing artist", "energy missing or outside [0,1]",
                "popularity outside 0..100", "wrong number of columns"],
            records.Where(r => r.Track is null).Select(r => r.Rejection));
    }

    [Fact]
    public void Open_UnknownLayout_ThrowsWithMissingColumns()
    {
        var e = Assert.Throws<FormatException>(() => CatalogCsv.Open(new StringReader("id,title\n1,x\n")));

        Assert.Contains("valence", e.Message, StringComparison.Ordinal);
    }
}
