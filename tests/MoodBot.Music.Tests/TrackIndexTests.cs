using CsCheck;
using MoodBot.Core;
using MoodBot.Music;

namespace MoodBot.Tests;

public sealed class TrackIndexTests
{
    private static readonly TrackIndex.Metric Metric = new(1.0, 1.0, 0.02);

    private static readonly Gen<Track> GenTrack =
        Gen.Select(Gen.Int[0, 1_000_000], Gen.Int[0, 30], Gen.Double[0, 1], Gen.Double[0, 1], Gen.Int[0, 100])
            .Select((id, artist, v, e, pop) => new Track(id.ToString("D22", System.Globalization.CultureInfo.InvariantCulture), "s", ["artist" + artist],
                ["pop"], pop, Math.Round(v, 3), Math.Round(e, 3)));

    [Fact]
    public void Nearest_RandomCatalogs_EqualsBruteForceGreedy() =>
        Gen.Select(GenTrack.Array[0, 400], Gen.Double[0, 1], Gen.Double[0, 1], Gen.Int[1, 12]).Sample((tracks, v, e, count) =>
        {
            var unique = tracks.DistinctBy(t => t.Id).ToList();
            var b = new TrackIndex.Builder();
            unique.ForEach(b.Add);
            var index = b.Build();
            var picks = new List<int>();
            index.Nearest(new MoodTarget(v, e), count, Metric, [], null, picks);
            var got = picks.Select(index.Id).ToList();
            return got.SequenceEqual(BruteForce(unique, new MoodTarget(v, e), count));
        }, iter: 300);

    [Fact]
    public void Nearest_ExcludedIds_NeverReturned()
    {
        var tracks = Enumerable.Range(0, 200).Select(i => new Track(i.ToString("D22", System.Globalization.CultureInfo.InvariantCulture), "s",
            ["a" + i], [], 50, 0.5, 0.5)).ToList();
        var b = new TrackIndex.Builder();
        tracks.ForEach(b.Add);
        var index = b.Build();
        var excluded = tracks.Take(150).Select(t => t.Id).ToHashSet();
        var picks = new List<int>();

        index.Nearest(new MoodTarget(0.5, 0.5), 60, Metric, [], excluded, picks);

        Assert.Equal(50, picks.Count);
        Assert.DoesNotContain(picks.Select(index.Id), excluded.Contains);
    }

    [Fact]
    public void ForGenre_SeparatorAndCaseVariants_FindSameTracks()
    {
        var b = new TrackIndex.Builder();
        b.Add(new Track("0000000000000000000001", "a", ["x"], ["indie-pop"], 1, 0.1, 0.1));
        b.Add(new Track("0000000000000000000002", "b", ["y"], ["rock"], 1, 0.1, 0.1));
        var index = b.Build();

        Assert.Equal(1, index.ForGenre("Indie Pop")!.Count);
        Assert.Null(index.ForGenre("polka"));
    }

    /// <summary>The definition: sort everything by (band, popularity desc, distance), take greedily with distinct artists.</summary>
    private static List<string> BruteForce(List<Track> tracks, MoodTarget t, int count)
    {
        var ordered = tracks
            .Select((x, i) => (Track: x, D: Metric.Distance(t.Valence, t.Energy, (float)x.Valence, (float)x.Energy)))
            .OrderBy(x => Metric.Band(x.D)).ThenByDescending(x => x.Track.Popularity).ThenBy(x => x.D).ThenBy(x => x.Track.Id, StringComparer.Ordinal)
            .ToList();
        var artists = new HashSet<string>();
        var result = new List<string>();
        foreach (var (track, _) in ordered)
        {
            if (result.Count == count)
            {
                break;
            }

            if (track.Artists.Any(artists.Contains))
            {
                continue;
            }

            result.Add(track.Id);
            artists.UnionWith(track.Artists);
        }

        return result;
    }
}
