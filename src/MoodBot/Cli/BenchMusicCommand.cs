using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Music;

namespace MoodBot.Cli;

/// <summary>
/// Measures the music stage at catalog sizes the shared data does not reach: writes a synthetic CSV to the temp folder,
/// imports it into a throw-away SQLite file, then times index builds and recommendation queries. Never part of the tests.
/// </summary>
public static class BenchMusicCommand
{
    private static readonly string[] Genres =
    [
        "pop", "dance pop", "rock", "indie", "edm", "house", "hip hop", "rap", "r&b", "latin", "reggaeton", "jazz", "classical",
        "ambient", "metal", "punk", "folk", "country", "soul", "blues", "techno", "trap", "k pop", "lo fi", "acoustic",
    ];

    public static Command Create()
    {
        var tracks = new Option<int[]>("--tracks") { Description = "Catalog sizes to measure.", DefaultValueFactory = _ => [34_000, 1_000_000], AllowMultipleArgumentsPerToken = true };
        var queries = new Option<int>("--queries") { Description = "Queries per size and mode.", DefaultValueFactory = _ => 300 };
        var cmd = new Command("bench-music", "Benchmark catalog import throughput and recommendation latency on synthetic catalogs.") { tracks, queries };
        cmd.SetAction(async (parse, ct) => await RunAsync(parse.GetRequiredValue(tracks), parse.GetValue(queries), Console.Out, ct));
        return cmd;
    }

    public static async Task<int> RunAsync(int[] sizes, int queries, TextWriter stdout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(stdout);
        var inv = CultureInfo.InvariantCulture;
        foreach (var n in sizes)
        {
            var dir = Directory.CreateTempSubdirectory("moodbot-bench-");
            try
            {
                var csv = Path.Combine(dir.FullName, "synthetic.csv");
                var sw = Stopwatch.StartNew();
                WriteSynthetic(csv, n, seed: n);
                await stdout.WriteLineAsync(string.Create(inv, $"[{n:N0} tracks] synthetic CSV written in {sw.Elapsed.TotalSeconds:0.0} s ({new FileInfo(csv).Length / 1048576.0:0} MB)"));

                using var host = MoodBotHost.CreateBuilder(cli: true, [
                    new("MoodBot:Storage:Provider", "Sqlite"),
                    new("MoodBot:Storage:SqlitePath", Path.Combine(dir.FullName, "bench.db")),
                ]).Build();
                var importer = host.Services.GetRequiredService<CatalogImporter>();
                var before = GC.GetTotalAllocatedBytes();
                var report = await importer.ImportAsync(csv, ct);
                var peak = Process.GetCurrentProcess().PeakWorkingSet64;
                await stdout.WriteLineAsync(string.Create(inv,
                    $"  import: {report.Accepted:N0} rows in {report.Elapsed.TotalSeconds:0.0} s = {report.Accepted / report.Elapsed.TotalSeconds:N0} rows/s; peak working set {peak / 1048576.0:0} MB; allocated {(GC.GetTotalAllocatedBytes() - before) / 1048576.0:N0} MB"));
                sw.Restart();
                var again = await importer.ImportAsync(csv, ct);
                await stdout.WriteLineAsync(string.Create(inv, $"  re-import: {again.Inserted} new, {again.Updated} changed, {again.Unchanged:N0} unchanged in {sw.Elapsed.TotalSeconds:0.0} s"));

                var recommender = host.Services.GetRequiredService<CatalogRecommender>();
                sw.Restart();
                var indexed = await recommender.WarmUpAsync(ct);
                await stdout.WriteLineAsync(string.Create(inv, $"  index: {indexed:N0} tracks loaded and built in {sw.Elapsed.TotalSeconds:0.00} s"));

                var index = (await recommender.GetIndexAsync(ct))!;
                var rng = new Random(42);
                foreach (var mode in new[] { RecommendationMode.Match, RecommendationMode.Lift })
                {
                    var indexOnly = new List<double>(queries);
                    var endToEnd = new List<double>(queries);
                    var empty = new HashSet<string>();
                    for (var q = 0; q < queries; q++)
                    {
                        var target = new MoodTarget(rng.NextDouble(), rng.NextDouble());
                        var t0 = Stopwatch.GetTimestamp();
                        _ = recommender.Pick(index, target, mode, 10, empty);
                        indexOnly.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        t0 = Stopwatch.GetTimestamp();
                        _ = await recommender.RecommendAsync(new RecommendationRequest(target, mode, 10), ct);
                        endToEnd.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }

                    await stdout.WriteLineAsync(string.Create(inv,
                        $"  {mode.ModeName(),-5} x10: index p50 {P(indexOnly, 50):0.000} ms p95 {P(indexOnly, 95):0.000} ms max {indexOnly.Max():0.000} ms | with row fetch p50 {P(endToEnd, 50):0.00} ms p95 {P(endToEnd, 95):0.00} ms"));
                }

                var genreTimes = new List<double>(queries);
                foreach (var g in Genres.Take(10))
                {
                    var t0 = Stopwatch.GetTimestamp();
                    _ = index.ForGenre(g);
                    genreTimes.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }

                var genreQuery = new List<double>(queries);
                for (var q = 0; q < queries; q++)
                {
                    var sub = index.ForGenre(Genres[q % 10])!;
                    var t0 = Stopwatch.GetTimestamp();
                    _ = recommender.Pick(sub, new MoodTarget(rng.NextDouble(), rng.NextDouble()), RecommendationMode.Match, 10, new HashSet<string>());
                    genreQuery.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }

                await stdout.WriteLineAsync(string.Create(inv,
                    $"  genre filter: first use builds a sub-index in {genreTimes.Average():0.0} ms avg; then match x10 p50 {P(genreQuery, 50):0.000} ms p95 {P(genreQuery, 95):0.000} ms"));
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                dir.Delete(recursive: true);
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>Plausible rows in the merged layout: clustered valence/energy, Zipf-ish artists, 1-2 genres, popularity 0-100.</summary>
    private static void WriteSynthetic(string path, int n, int seed)
    {
        const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var rng = new Random(seed);
        using var w = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        w.Write("track_id,track_name,artists,genres,popularity,release_date,valence,energy,danceability,tempo,acousticness,instrumentalness,speechiness,loudness,mode,mood_label,sources\n");
        Span<char> id = stackalloc char[22];
        var inv = CultureInfo.InvariantCulture;
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < id.Length; c++)
            {
                id[c] = Alphabet[rng.Next(62)];
            }

            var v = Math.Clamp(0.5 + ((rng.NextDouble() + rng.NextDouble() - 1) * 0.6), 0, 1);
            var e = Math.Clamp(0.6 + ((rng.NextDouble() + rng.NextDouble() - 1) * 0.6), 0, 1);
            var artist = (int)(Math.Pow(rng.NextDouble(), 2) * Math.Max(1, n / 4));
            var g1 = Genres[rng.Next(Genres.Length)];
            var g2 = Genres[rng.Next(Genres.Length)];
            w.Write(id);
            w.Write(string.Create(inv,
                $",Synthetic Song {i},Artist {artist},{g1};{g2},{rng.Next(101)},2020-01-01,{v:0.000},{e:0.000},{rng.NextDouble():0.000},{60 + (rng.NextDouble() * 120):0.000},{rng.NextDouble():0.000},0,0.05,-6,1,,synthetic\n"));
        }
    }

    private static double P(List<double> xs, int percentile)
    {
        var sorted = xs.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }
}
