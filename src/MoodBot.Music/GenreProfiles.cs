using System.Globalization;
using System.Text;
using MoodBot.Core;
using nietras.SeparatedValues;

namespace MoodBot.Music;

/// <summary>Mean valence and energy of one genre's tracks.</summary>
public sealed record GenreProfile(string Genre, int Tracks, double Valence, double Energy);

/// <summary>
/// The catalog-free fallback: which genres sound like a mood. The committed table (genre-profiles.csv, an embedded
/// resource) holds figures only, computed from the shared public datasets by <c>moodbot catalog genre-profiles</c>.
/// </summary>
public sealed class GenreProfiles
{
    private const string Resource = "MoodBot.Music.genre-profiles.csv";

    public GenreProfiles(IReadOnlyList<GenreProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        All = profiles;
    }

    public IReadOnlyList<GenreProfile> All { get; }

    /// <summary>The table shipped with the assembly.</summary>
    public static GenreProfiles LoadEmbedded()
    {
        using var stream = typeof(GenreProfiles).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"embedded resource {Resource} is missing");
        using var text = new StreamReader(stream);
        return Parse(text);
    }

    /// <summary>Reads "genre,tracks,valence,energy" rows; leading lines starting with '#' note the source.</summary>
    public static GenreProfiles Parse(TextReader text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = new StringBuilder();
        while (text.ReadLine() is { } line)
        {
            if (!line.StartsWith('#'))
            {
                body.Append(line).Append('\n');
            }
        }

        using var reader = Sep.Reader(o => o with { Unescape = true, CultureInfo = CultureInfo.InvariantCulture }).FromText(body.ToString());
        var list = new List<GenreProfile>();
        foreach (var row in reader)
        {
            list.Add(new GenreProfile(row["genre"].ToString(), row["tracks"].Parse<int>(), row["valence"].Parse<double>(), row["energy"].Parse<double>()));
        }

        return new GenreProfiles(list);
    }

    /// <summary>The <paramref name="count"/> genres whose mean point is nearest the target.</summary>
    public IReadOnlyList<GenreProfile> Nearest(MoodTarget target, int count, double valenceWeight = 1, double energyWeight = 1) =>
        All.OrderBy(p => Distance(p, target, valenceWeight, energyWeight)).ThenByDescending(p => p.Tracks).Take(count).ToList();

    /// <summary>Averages every genre tag with at least <paramref name="minTracks"/> tracks.</summary>
    public static GenreProfiles Compute(IEnumerable<Track> tracks, int minTracks)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        var sums = new Dictionary<string, (int N, double V, double E)>(StringComparer.Ordinal);
        foreach (var t in tracks)
        {
            foreach (var g in t.Genres.Select(g => g.Trim().ToLowerInvariant()).Distinct())
            {
                var s = sums.GetValueOrDefault(g);
                sums[g] = (s.N + 1, s.V + t.Valence, s.E + t.Energy);
            }
        }

        return new GenreProfiles(sums.Where(kv => kv.Value.N >= minTracks)
            .Select(kv => new GenreProfile(kv.Key, kv.Value.N, Math.Round(kv.Value.V / kv.Value.N, 3), Math.Round(kv.Value.E / kv.Value.N, 3)))
            .OrderBy(p => p.Genre, StringComparer.Ordinal)
            .ToList());
    }

    /// <summary>Writes the table with its source noted in leading '#' lines.</summary>
    public void Write(TextWriter output, IEnumerable<string> sourceNotes)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(sourceNotes);
        foreach (var note in sourceNotes)
        {
            output.Write("# ");
            output.Write(note);
            output.Write('\n');
        }

        using var writer = Sep.New(',').Writer(o => o with { Escape = true, CultureInfo = CultureInfo.InvariantCulture }).To(output, leaveOpen: true);
        foreach (var p in All)
        {
            using var row = writer.NewRow();
            row["genre"].Set(p.Genre);
            row["tracks"].Format(p.Tracks);
            row["valence"].Set(p.Valence.ToString("0.000", CultureInfo.InvariantCulture));
            row["energy"].Set(p.Energy.ToString("0.000", CultureInfo.InvariantCulture));
        }
    }

    private static double Distance(GenreProfile p, MoodTarget t, double wv, double we)
    {
        var dv = wv * (p.Valence - t.Valence);
        var de = we * (p.Energy - t.Energy);
        return (dv * dv) + (de * de);
    }
}
