using System.Collections.Concurrent;
using MoodBot.Core;

namespace MoodBot.Music;

/// <summary>
/// An immutable in-memory index of the catalog over the (valence, energy) plane: tracks are bucketed into a G×G grid
/// (about four per cell) and stored as parallel arrays sorted by cell, so a query reads a few neighbouring cells instead of
/// the whole catalog. Only what ranking needs is kept (id, the two features, popularity, artist and genre ids): about
/// 100 bytes a track, so a million tracks fit in ~100 MB. Full rows are fetched from the catalog for the few tracks returned.
/// Thread-safe: queries only read; per-genre sub-indexes are built once on first use.
/// </summary>
internal sealed class TrackIndex
{
    private readonly string[] _ids;
    private readonly float[] _valence;
    private readonly float[] _energy;
    private readonly byte[] _popularity;
    private readonly int[] _artistStart;
    private readonly int[] _artists;
    private readonly int[] _genreStart;
    private readonly int[] _genres;
    private readonly int[] _cellStart;
    private readonly int _grid;
    private readonly IReadOnlyDictionary<string, int> _genreIds;
    private readonly ConcurrentDictionary<int, TrackIndex> _byGenre = new();
    private readonly CandidateOrder _order;

    private TrackIndex(
        string[] ids, float[] valence, float[] energy, byte[] popularity, int[] artistStart, int[] artists, int[] genreStart,
        int[] genres, IReadOnlyDictionary<string, int> genreIds)
    {
        var n = ids.Length;
        _grid = Math.Clamp((int)Math.Sqrt(n / 4.0), 1, 512);
        _genreIds = genreIds;

        // Counting sort by cell: stable, O(n), and leaves each cell's tracks contiguous.
        var cellOf = new int[n];
        _cellStart = new int[(_grid * _grid) + 1];
        for (var i = 0; i < n; i++)
        {
            cellOf[i] = (Cell(energy[i]) * _grid) + Cell(valence[i]);
            _cellStart[cellOf[i] + 1]++;
        }

        for (var c = 0; c < _grid * _grid; c++)
        {
            _cellStart[c + 1] += _cellStart[c];
        }

        var order = new int[n];
        var next = (int[])_cellStart.Clone();
        for (var i = 0; i < n; i++)
        {
            order[next[cellOf[i]]++] = i;
        }

        _ids = new string[n];
        _valence = new float[n];
        _energy = new float[n];
        _popularity = new byte[n];
        _artistStart = new int[n + 1];
        _genreStart = new int[n + 1];
        _artists = new int[artists.Length];
        _genres = new int[genres.Length];
        _order = new CandidateOrder(_ids);
        for (var k = 0; k < n; k++)
        {
            var i = order[k];
            _ids[k] = ids[i];
            _valence[k] = valence[i];
            _energy[k] = energy[i];
            _popularity[k] = popularity[i];
            var a0 = artistStart[i];
            var a1 = artistStart[i + 1];
            Array.Copy(artists, a0, _artists, _artistStart[k], a1 - a0);
            _artistStart[k + 1] = _artistStart[k] + (a1 - a0);
            var g0 = genreStart[i];
            var g1 = genreStart[i + 1];
            Array.Copy(genres, g0, _genres, _genreStart[k], g1 - g0);
            _genreStart[k + 1] = _genreStart[k] + (g1 - g0);
        }
    }

    public int Count => _ids.Length;

    public static TrackIndex Empty { get; } = new Builder().Build();

    public string Id(int index) => _ids[index];

    public MoodTarget Point(int index) => new(_valence[index], _energy[index]);

    /// <summary>The index restricted to one genre tag (normalised), or null when no track has it.</summary>
    public TrackIndex? ForGenre(string genre)
    {
        if (!_genreIds.TryGetValue(GenreNames.Normalize(genre), out var g))
        {
            return null;
        }

        return _byGenre.GetOrAdd(g, id =>
        {
            var keep = new List<int>();
            for (var i = 0; i < _ids.Length; i++)
            {
                if (_genres.AsSpan(_genreStart[i], _genreStart[i + 1] - _genreStart[i]).Contains(id))
                {
                    keep.Add(i);
                }
            }

            var b = new Builder(keep.Count);
            foreach (var i in keep)
            {
                b.AddRaw(_ids[i], _valence[i], _energy[i], _popularity[i], _artists.AsSpan(_artistStart[i], _artistStart[i + 1] - _artistStart[i]),
                    _genres.AsSpan(_genreStart[i], _genreStart[i + 1] - _genreStart[i]));
            }

            return b.Build(_genreIds);
        });
    }

    /// <summary>
    /// Greedy nearest neighbours: candidates ordered by (distance band, popularity desc, distance), each taken unless it
    /// shares an artist with one already taken. The grid is searched ring by ring around the target and a candidate is
    /// only decided once no unseen track could still rank ahead of it, so the result equals a full scan's
    /// (<c>TrackIndexTests</c> check that against a brute-force scan).
    /// </summary>
    /// <param name="usedArtists">Artists already in the list (lift mode calls once per step); picks add theirs.</param>
    /// <param name="excludedIds">Track ids never to return.</param>
    /// <param name="picks">Receives the chosen indexes, best first.</param>
    public void Nearest(MoodTarget target, int count, in Metric metric, HashSet<int> usedArtists, IReadOnlySet<string>? excludedIds,
        List<int> picks)
    {
        picks.Clear();
        if (_ids.Length == 0 || count <= 0)
        {
            return;
        }

        var v = Math.Clamp(target.Valence, 0, 1);
        var e = Math.Clamp(target.Energy, 0, 1);
        var cx = Cell(v);
        var cy = Cell(e);
        var cs = 1.0 / _grid;
        var pending = new List<Candidate>(64);
        var minBand = long.MaxValue;
        var taken = new HashSet<int>();
        for (var r = 0; r <= _grid; r++)
        {
            var x0 = cx - r;
            var x1 = cx + r;
            var y0 = cy - r;
            var y1 = cy + r;
            for (var y = Math.Max(0, y0); y <= Math.Min(_grid - 1, y1); y++)
            {
                if (y == y0 || y == y1)
                {
                    for (var x = Math.Max(0, x0); x <= Math.Min(_grid - 1, x1); x++)
                    {
                        ReadCell((y * _grid) + x, v, e, metric, pending, ref minBand);
                    }
                }
                else
                {
                    // Only the ring's border cells are new; the interior was read in earlier rings.
                    if (x0 >= 0)
                    {
                        ReadCell((y * _grid) + x0, v, e, metric, pending, ref minBand);
                    }

                    if (x1 <= _grid - 1 && x1 != x0)
                    {
                        ReadCell((y * _grid) + x1, v, e, metric, pending, ref minBand);
                    }
                }
            }

            var complete = x0 <= 0 && y0 <= 0 && x1 >= _grid - 1 && y1 >= _grid - 1;
            var bound = double.PositiveInfinity;
            if (x0 > 0)
            {
                bound = Math.Min(bound, metric.ValenceWeight * (v - (x0 * cs)));
            }

            if (x1 < _grid - 1)
            {
                bound = Math.Min(bound, metric.ValenceWeight * (((x1 + 1) * cs) - v));
            }

            if (y0 > 0)
            {
                bound = Math.Min(bound, metric.EnergyWeight * (e - (y0 * cs)));
            }

            if (y1 < _grid - 1)
            {
                bound = Math.Min(bound, metric.EnergyWeight * (((y1 + 1) * cs) - e));
            }

            // Every unseen track is farther than `bound`, so it falls in band >= safeBand: candidates below it are final and
            // rank ahead of anything a later ring can add. So they are decided now, once, and only the rest stays pending.
            var safeBand = complete ? long.MaxValue : metric.Band(bound);
            if (minBand >= safeBand)
            {
                // Nothing can be decided yet (the tie band is wider than a few cells): read another ring before sorting.
                continue;
            }

            pending.Sort(_order);
            var decided = 0;
            while (decided < pending.Count && pending[decided].Band < safeBand && picks.Count < count)
            {
                var c = pending[decided++];

                // Excluded ids are checked only for the few candidates that reach this point, not for every track read.
                if ((excludedIds is not null && excludedIds.Contains(_ids[c.Index])) || SharesArtist(c.Index, usedArtists, taken))
                {
                    continue;
                }

                picks.Add(c.Index);
                foreach (var a in Artists(c.Index))
                {
                    taken.Add(a);
                }
            }

            if (picks.Count == count || complete)
            {
                break;
            }

            pending.RemoveRange(0, decided);
            minBand = pending.Count == 0 ? long.MaxValue : pending[0].Band;
        }

        foreach (var i in picks)
        {
            foreach (var a in Artists(i))
            {
                usedArtists.Add(a);
            }
        }
    }

    private void ReadCell(int cell, double v, double e, in Metric metric, List<Candidate> candidates, ref long minBand)
    {
        for (var i = _cellStart[cell]; i < _cellStart[cell + 1]; i++)
        {
            var d = metric.Distance(v, e, _valence[i], _energy[i]);
            var band = metric.Band(d);
            minBand = Math.Min(minBand, band);
            candidates.Add(new Candidate(band, _popularity[i], d, i));
        }
    }

    private ReadOnlySpan<int> Artists(int i) => _artists.AsSpan(_artistStart[i], _artistStart[i + 1] - _artistStart[i]);

    private bool SharesArtist(int i, HashSet<int> used, HashSet<int> taken)
    {
        foreach (var a in Artists(i))
        {
            if (used.Contains(a) || taken.Contains(a))
            {
                return true;
            }
        }

        return false;
    }

    private int Cell(double x) => Math.Clamp((int)(x * _grid), 0, _grid - 1);

    /// <summary>Weighted Euclidean distance in the (valence, energy) plane, and the popularity tie band.</summary>
    public readonly record struct Metric(double ValenceWeight, double EnergyWeight, double TieBand)
    {
        public double Distance(double v, double e, double tv, double te)
        {
            var dv = ValenceWeight * (v - tv);
            var de = EnergyWeight * (e - te);
            return Math.Sqrt((dv * dv) + (de * de));
        }

        public long Band(double d) => (long)Math.Floor(d / TieBand);
    }

    private readonly record struct Candidate(long Band, byte Popularity, double Distance, int Index);

    /// <summary>(band, popularity desc, distance); exact ties resolve by id, so the order does not depend on the grid layout.</summary>
    private sealed class CandidateOrder(string[] ids) : IComparer<Candidate>
    {
        public int Compare(Candidate x, Candidate y)
        {
            var c = x.Band.CompareTo(y.Band);
            if (c != 0)
            {
                return c;
            }

            c = y.Popularity.CompareTo(x.Popularity);
            if (c != 0)
            {
                return c;
            }

            c = x.Distance.CompareTo(y.Distance);
            return c != 0 ? c : string.CompareOrdinal(ids[x.Index], ids[y.Index]);
        }
    }

    /// <summary>Collects tracks (interning artist and genre names to small ints) and builds the index.</summary>
    public sealed class Builder
    {
        private readonly List<string> _ids;
        private readonly List<float> _valence;
        private readonly List<float> _energy;
        private readonly List<byte> _popularity;
        private readonly List<int> _artistStart = [0];
        private readonly List<int> _artists = [];
        private readonly List<int> _genreStart = [0];
        private readonly List<int> _genres = [];
        private readonly Dictionary<string, int> _artistIds = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> _genreIds = new(StringComparer.Ordinal);

        public Builder(int capacity = 0)
        {
            _ids = new(capacity);
            _valence = new(capacity);
            _energy = new(capacity);
            _popularity = new(capacity);
        }

        public int Count => _ids.Count;

        public void Add(Track track)
        {
            ArgumentNullException.ThrowIfNull(track);
            _ids.Add(track.Id);
            _valence.Add((float)track.Valence);
            _energy.Add((float)track.Energy);
            _popularity.Add((byte)Math.Clamp(track.Popularity, 0, 100));
            foreach (var artist in track.Artists)
            {
                var key = artist.Trim();
                if (!_artistIds.TryGetValue(key, out var id))
                {
                    id = _artistIds.Count;
                    _artistIds.Add(key, id);
                }

                _artists.Add(id);
            }

            _artistStart.Add(_artists.Count);
            foreach (var genre in track.Genres)
            {
                var key = GenreNames.Normalize(genre);
                if (key.Length == 0)
                {
                    continue;
                }

                if (!_genreIds.TryGetValue(key, out var id))
                {
                    id = _genreIds.Count;
                    _genreIds.Add(key, id);
                }

                _genres.Add(id);
            }

            _genreStart.Add(_genres.Count);
        }

        internal void AddRaw(string id, float valence, float energy, byte popularity, ReadOnlySpan<int> artists, ReadOnlySpan<int> genres)
        {
            _ids.Add(id);
            _valence.Add(valence);
            _energy.Add(energy);
            _popularity.Add(popularity);
            _artists.AddRange(artists);
            _artistStart.Add(_artists.Count);
            _genres.AddRange(genres);
            _genreStart.Add(_genres.Count);
        }

        public TrackIndex Build() => Build(_genreIds);

        internal TrackIndex Build(IReadOnlyDictionary<string, int> genreIds) => new(
            [.. _ids], [.. _valence], [.. _energy], [.. _popularity], [.. _artistStart], [.. _artists], [.. _genreStart], [.. _genres],
            genreIds);
    }
}
