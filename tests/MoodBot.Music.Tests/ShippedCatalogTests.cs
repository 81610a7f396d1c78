using System.IO.Compression;
using MoodBot.Music;

namespace MoodBot.Music.Tests;

/// <summary>The catalog shipped beside the binary is exactly what the documented command makes from the reference data.</summary>
public sealed class ShippedCatalogTests
{
    private static string ShippedPath => Path.Combine(AppContext.BaseDirectory, ShippedCatalog.DefaultPath);

    [Fact]
    public void ShippedFile_RebuiltFromTidyTuesday_SameRows()
    {
        var source = SharedData.Path("datasets/music/tidytuesday_spotify_songs.csv");
        var rebuilt = ShippedCatalog.Build([source], out var rows, out var rejected);
        using var stream = new MemoryStream();
        ShippedCatalog.Write(stream, rebuilt);

        Assert.Equal(32_833, rows);
        Assert.Equal(0, rejected);
        Assert.Equal(28_356, rebuilt.Count);
        // Compared decompressed: the CSV text is the contract, the gzip bytes depend on the zlib build.
        Assert.Equal(Decompress(File.ReadAllBytes(ShippedPath)), Decompress(stream.ToArray()));
    }

    [Fact]
    public void ShippedFile_ReadBack_EveryTrackValidWithGenresOfAllItsPlaylists()
    {
        var tracks = ShippedCatalog.Read(ShippedPath);

        Assert.Equal(28_356, tracks.Count);
        Assert.Equal(tracks.Count, tracks.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(tracks, t =>
        {
            Assert.Matches(CatalogCsv.IdPattern(), t.Id);
            Assert.InRange(t.Valence, 0, 1);
            Assert.InRange(t.Energy, 0, 1);
            Assert.NotEmpty(t.Artists);
            Assert.NotEmpty(t.Genres);
        });
        // Sorted by id: seeding's "cut short" rule reads the first and the last row.
        Assert.Equal(tracks.Select(t => t.Id).Order(StringComparer.Ordinal), tracks.Select(t => t.Id));
        // The union over playlists: a track listed under several genres keeps them all.
        Assert.Contains(tracks, t => t.Genres.Count > 2);
    }

    private static string Decompress(byte[] gz)
    {
        using var gzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }
}
