using System.Globalization;
using System.IO.Compression;
using System.Text;
using MoodBot.Core;
using nietras.SeparatedValues;

namespace MoodBot.Music;

/// <summary>
/// The default catalog that ships beside the binary (<c>catalog/tracks.csv.gz</c>): one row per track, sorted by id, with
/// the genres of every playlist the track appeared in. Built by <c>moodbot catalog build-shipped</c> from the tidytuesday
/// 2020-01-21 <c>spotify_songs.csv</c>; read with the ordinary <see cref="CatalogCsv"/> reader (layout <c>generic</c>).
/// </summary>
public static class ShippedCatalog
{
    /// <summary>Where the file sits relative to the application's directory.</summary>
    public const string DefaultPath = "catalog/tracks.csv.gz";

    private static readonly string[] Header = ["track_id", "track_name", "track_artist", "genres", "popularity", "valence", "energy"];

    /// <summary>
    /// The valid rows of <paramref name="sources"/>, one per id. The first row of an id gives its fields (as the importer
    /// does); genres are the union over all of its rows, in order of appearance, because the same song sits in playlists
    /// of several genres. Rows the importer would reject are left out and counted in <paramref name="rejected"/>.
    /// </summary>
    public static List<Track> Build(IEnumerable<string> sources, out int rows, out int rejected)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var byId = new Dictionary<string, (Track Track, List<string> Genres)>(StringComparer.Ordinal);
        rows = 0;
        rejected = 0;
        foreach (var path in sources)
        {
            using var reader = CatalogCsv.Open(path);
            foreach (var record in reader.Records())
            {
                rows++;
                if (record.Track is not { } t)
                {
                    rejected++;
                    continue;
                }

                if (!byId.TryGetValue(t.Id, out var entry))
                {
                    byId[t.Id] = (t, [.. t.Genres]);
                    continue;
                }

                foreach (var g in t.Genres.Where(g => !entry.Genres.Contains(g)))
                {
                    entry.Genres.Add(g);
                }
            }
        }

        return byId.Values.OrderBy(e => e.Track.Id, StringComparer.Ordinal)
            .Select(e => new Track(e.Track.Id, e.Track.Name, e.Track.Artists, e.Genres, e.Track.Popularity, e.Track.Valence, e.Track.Energy))
            .ToList();
    }

    /// <summary>Writes the gzip-compressed CSV (features rounded to Spotify's own three decimals).</summary>
    public static void Write(Stream output, IEnumerable<Track> tracks)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(tracks);
        using var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        using var text = new StreamWriter(gzip, new UTF8Encoding(false)) { NewLine = "\n" };
        // Disposing Sep's writer flushes and closes the text writer, the gzip stream under it, but not the output.
        using (var writer = Sep.New(',').Writer(o => o with { Escape = true, CultureInfo = CultureInfo.InvariantCulture }).To(text))
        {
            foreach (var t in tracks)
            {
                using var row = writer.NewRow();
                row[Header[0]].Set(t.Id);
                row[Header[1]].Set(t.Name);
                // One display string (the tidytuesday column); ';' would split it on the way back in.
                row[Header[2]].Set(string.Join(", ", t.Artists));
                row[Header[3]].Set(string.Join(';', t.Genres));
                row[Header[4]].Format(t.Popularity);
                row[Header[5]].Set(t.Valence.ToString("0.###", CultureInfo.InvariantCulture));
                row[Header[6]].Set(t.Energy.ToString("0.###", CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Every track of a shipped (gzip) catalog file, in file order; rows the reader rejects are skipped.</summary>
    /// <exception cref="FormatException">the file is not a catalog.</exception>
    public static List<Track> Read(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var text = new StreamReader(gzip, Encoding.UTF8);
        using var reader = CatalogCsv.Open(text);
        return reader.Records().Select(r => r.Track).OfType<Track>().ToList();
    }
}
