using System.Globalization;
using System.Text.RegularExpressions;
using MoodBot.Core;
using nietras.SeparatedValues;

namespace MoodBot.Music;

/// <summary>One CSV row: a valid track, or the reason it was refused.</summary>
public readonly record struct CatalogRecord(int Line, Track? Track, string? Rejection);

/// <summary>
/// Reads the common public Spotify track layouts by header names (no positional assumptions), so new exports with extra
/// or reordered columns still import. Recognised: this project's merged catalog, tidytuesday 2020-01-21 spotify_songs,
/// the 114k Spotify Tracks Dataset, data_moods.csv and the 2024 "Spotify Music Dataset" (high/low popularity).
/// </summary>
public static partial class CatalogCsv
{
    private static readonly string[] IdColumns = ["track_id", "id"];
    private static readonly string[] NameColumns = ["track_name", "name"];
    private static readonly string[] PopularityColumns = ["popularity", "track_popularity"];

    // Columns whose value lists several artists separated by ';' (the 114k set, our merged file). Other artist columns hold
    // one display string that may itself contain commas ("Tyler, The Creator"), so they are not split.
    private static readonly string[] ListArtistColumns = ["artists"];
    private static readonly string[] SingleArtistColumns = ["track_artist", "artist", "artist_name", "artists_name"];
    private static readonly string[] GenreColumns = ["genres", "track_genre", "playlist_genre", "playlist_subgenre", "genre"];

    /// <summary>Spotify ids are 22 base-62 characters.</summary>
    [GeneratedRegex("^[0-9A-Za-z]{22}$")]
    public static partial Regex IdPattern();

    /// <summary>Names the layout from its header, or returns null with what is missing.</summary>
    public static string? DetectLayout(IReadOnlyList<string> header, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(header);
        var set = new HashSet<string>(header.Select(h => h.Trim()), StringComparer.OrdinalIgnoreCase);
        var missing = new List<string>();
        if (!IdColumns.Any(set.Contains))
        {
            missing.Add("track_id|id");
        }

        if (!NameColumns.Any(set.Contains))
        {
            missing.Add("track_name|name");
        }

        if (!ListArtistColumns.Concat(SingleArtistColumns).Any(set.Contains))
        {
            missing.Add("artists|track_artist|artist");
        }

        foreach (var f in new[] { "valence", "energy" })
        {
            if (!set.Contains(f))
            {
                missing.Add(f);
            }
        }

        if (missing.Count > 0)
        {
            problem = "missing column(s): " + string.Join(", ", missing);
            return null;
        }

        problem = null;
        if (set.Contains("genres") && set.Contains("sources"))
        {
            return "moodbot-merged";
        }

        if (set.Contains("playlist_subgenre") && set.Contains("analysis_url"))
        {
            return "spotify-music-dataset-2024";
        }

        if (set.Contains("playlist_subgenre"))
        {
            return "tidytuesday-2020";
        }

        if (set.Contains("track_genre"))
        {
            return "spotify-tracks-114k";
        }

        return set.Contains("mood") ? "data-moods" : "generic";
    }

    /// <summary>Opens a CSV file for streaming; dispose the reader when done. Throws <see cref="FormatException"/> for an unknown layout.</summary>
    public static CatalogCsvReader Open(string path)
    {
        var reader = Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true, CultureInfo = CultureInfo.InvariantCulture })
            .FromFile(path);
        return new CatalogCsvReader(reader);
    }

    /// <summary>Same as <see cref="Open(string)"/> over text (tests, stdin).</summary>
    public static CatalogCsvReader Open(TextReader text)
    {
        var reader = Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true, CultureInfo = CultureInfo.InvariantCulture })
            .From(text);
        return new CatalogCsvReader(reader);
    }

    internal static int Find(SepReaderHeader header, string[] names)
    {
        foreach (var n in names)
        {
            for (var i = 0; i < header.ColNames.Count; i++)
            {
                if (string.Equals(header.ColNames[i].Trim(), n, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    internal static int[] FindAll(SepReaderHeader header, string[] names) =>
        names.Select(n => Find(header, [n])).Where(i => i >= 0).ToArray();

    internal static string[] IdNames => IdColumns;

    internal static string[] NameNames => NameColumns;

    internal static string[] PopularityNames => PopularityColumns;

    internal static string[] ListArtistNames => ListArtistColumns;

    internal static string[] SingleArtistNames => SingleArtistColumns;

    internal static string[] GenreColumnNames => GenreColumns;
}

/// <summary>A streaming reader over one catalog CSV: constant memory apart from the caller's batch.</summary>
public sealed class CatalogCsvReader : IDisposable
{
    private readonly SepReader _reader;
    private readonly int _id;
    private readonly int _name;
    private readonly int _popularity;
    private readonly int[] _listArtists;
    private readonly int[] _singleArtists;
    private readonly int[] _genres;
    private readonly int _valence;
    private readonly int _energy;
    private readonly int _danceability;
    private readonly int _acousticness;
    private readonly int _tempo;
    private readonly int _columns;

    internal CatalogCsvReader(SepReader reader)
    {
        _reader = reader;
        var header = reader.Header;
        Layout = CatalogCsv.DetectLayout(header.ColNames, out var problem)
            ?? throw new FormatException($"unrecognised catalog layout: {problem}. Header: {string.Join(",", header.ColNames.Take(30))}");
        _columns = header.ColNames.Count;
        _id = CatalogCsv.Find(header, CatalogCsv.IdNames);
        _name = CatalogCsv.Find(header, CatalogCsv.NameNames);
        _popularity = CatalogCsv.Find(header, CatalogCsv.PopularityNames);
        _listArtists = CatalogCsv.FindAll(header, CatalogCsv.ListArtistNames);
        _singleArtists = _listArtists.Length > 0 ? [] : CatalogCsv.FindAll(header, CatalogCsv.SingleArtistNames).Take(1).ToArray();
        _genres = CatalogCsv.FindAll(header, CatalogCsv.GenreColumnNames);
        _valence = CatalogCsv.Find(header, ["valence"]);
        _energy = CatalogCsv.Find(header, ["energy"]);
        _danceability = CatalogCsv.Find(header, ["danceability"]);
        _acousticness = CatalogCsv.Find(header, ["acousticness"]);
        _tempo = CatalogCsv.Find(header, ["tempo"]);
    }

    /// <summary>The layout recognised from the header (e.g. "tidytuesday-2020").</summary>
    public string Layout { get; }

    /// <summary>Rows in file order; each is parsed and validated on its own, so a bad row never stops the import.</summary>
    public IEnumerable<CatalogRecord> Records() => _reader.Enumerate(Parse);

    public void Dispose() => _reader.Dispose();

    private CatalogRecord Parse(SepReader.Row row)
    {
        var line = row.LineNumberFrom;
        if (row.ColCount != _columns)
        {
            return new(line, null, "wrong number of columns");
        }

        var id = row[_id].Span.Trim();
        if (!CatalogCsv.IdPattern().IsMatch(id))
        {
            return new(line, null, "invalid id (want 22 base-62 characters)");
        }

        var name = row[_name].Span.Trim();
        if (name.IsEmpty)
        {
            return new(line, null, "missing name");
        }

        var artists = new List<string>(2);
        foreach (var c in _listArtists)
        {
            foreach (var a in row[c].ToString().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                artists.Add(a);
            }
        }

        foreach (var c in _singleArtists)
        {
            var a = row[c].Span.Trim();
            if (!a.IsEmpty)
            {
                artists.Add(a.ToString());
            }
        }

        if (artists.Count == 0)
        {
            return new(line, null, "missing artist");
        }

        if (!TryUnit(row[_valence].Span, out var valence))
        {
            return new(line, null, "valence missing or outside [0,1]");
        }

        if (!TryUnit(row[_energy].Span, out var energy))
        {
            return new(line, null, "energy missing or outside [0,1]");
        }

        var popularity = 0;
        if (_popularity >= 0 && !row[_popularity].Span.Trim().IsEmpty)
        {
            if (!double.TryParse(row[_popularity].Span, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || p is < 0 or > 100)
            {
                return new(line, null, "popularity outside 0..100");
            }

            popularity = (int)Math.Round(p);
        }

        double? danceability = null, acousticness = null, tempo = null;
        if (_danceability >= 0 && !row[_danceability].Span.Trim().IsEmpty)
        {
            if (!TryUnit(row[_danceability].Span, out var d))
            {
                return new(line, null, "danceability outside [0,1]");
            }

            danceability = d;
        }

        if (_acousticness >= 0 && !row[_acousticness].Span.Trim().IsEmpty)
        {
            if (!TryUnit(row[_acousticness].Span, out var a))
            {
                return new(line, null, "acousticness outside [0,1]");
            }

            acousticness = a;
        }

        // Spotify reports tempo 0 when it could not detect a beat; that is "unknown", not an error.
        if (_tempo >= 0 && double.TryParse(row[_tempo].Span, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t is > 0 and < 400)
        {
            tempo = t;
        }

        var genres = new List<string>(4);
        foreach (var c in _genres)
        {
            // The merged file writes "genre/subgenre" pairs joined with ';'; every part is a searchable genre.
            foreach (var g in row[c].ToString().Split([';', '/'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var lower = g.ToLowerInvariant();
                if (!genres.Contains(lower))
                {
                    genres.Add(lower);
                }
            }
        }

        var track = new Track(id.ToString(), name.ToString(), artists, genres, popularity, valence, energy)
        {
            Danceability = danceability,
            Acousticness = acousticness,
            Tempo = tempo,
        };
        return new(line, track, null);
    }

    private static bool TryUnit(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value is >= 0 and <= 1;
}
