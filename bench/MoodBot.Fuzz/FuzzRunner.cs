using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MoodBot.Fuzz;

/// <summary>How one fuzz run behaves.</summary>
public sealed record FuzzSettings
{
    public int Count { get; init; } = 100_000;

    public int Seed { get; init; } = 1;

    /// <summary>Replayed first, used as parents, and where new-outcome inputs are saved (when <see cref="SaveCorpus"/>).</summary>
    public DirectoryInfo? Corpus { get; init; }

    public bool SaveCorpus { get; init; } = true;

    /// <summary>Where crashing and hanging inputs (with their stack traces) are written.</summary>
    public DirectoryInfo? Crashes { get; init; }

    /// <summary>An input that takes longer than this is a hang (the bound).</summary>
    public double HangMs { get; init; } = 2000;

    /// <summary>An input still running after this is written out and the process exits: the code will not come back.</summary>
    public double AbortMs { get; init; } = 30_000;

    /// <summary>Inputs larger than this are not saved to the commit-able corpus.</summary>
    public int MaxCorpusFileBytes { get; init; } = 48 * 1024;

    public TextWriter Log { get; init; } = TextWriter.Null;
}

/// <summary>Figures of one run.</summary>
public sealed class FuzzReport
{
    public required string Target { get; init; }

    public int Inputs { get; set; }

    public int Replayed { get; set; }

    public List<string> Crashes { get; } = [];

    public List<string> Hangs { get; } = [];

    public SortedDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, int> CrashTypes { get; } = new(StringComparer.Ordinal);

    public int CorpusAdded { get; set; }

    public double MaxMs { get; set; }

    public double P50Ms { get; set; }

    public double P99Ms { get; set; }

    public double Seconds { get; set; }

    public string? SlowestInput { get; set; }

    public double InputsPerSecond => Seconds > 0 ? Inputs / Seconds : 0;

    public bool Failed => Crashes.Count > 0 || Hangs.Count > 0;

    public string Summary()
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine(ci, $"target            {Target}");
        sb.AppendLine(ci, $"inputs            {Inputs} ({Replayed} replayed from seeds/corpus, {Inputs - Replayed} generated)");
        sb.AppendLine(ci, $"crashes           {Crashes.Count}");
        sb.AppendLine(ci, $"hangs (> limit)   {Hangs.Count}");
        sb.AppendLine(ci, $"time per input    p50 {P50Ms:0.###} ms, p99 {P99Ms:0.###} ms, max {MaxMs:0.#} ms ({SlowestInput})");
        sb.AppendLine(ci, $"throughput        {InputsPerSecond:0} inputs/s over {Seconds:0.#} s");
        sb.AppendLine(ci, $"corpus added      {CorpusAdded}");
        foreach (var (type, n) in CrashTypes)
        {
            sb.AppendLine(ci, $"crash type        {type}: {n}");
        }

        sb.AppendLine("outcomes:");
        foreach (var (label, n) in Outcomes.OrderByDescending(kv => kv.Value))
        {
            sb.AppendLine(ci, $"  {n,8}  {label}");
        }

        return sb.ToString();
    }
}

/// <summary>
/// A single-threaded mutation fuzzer. Without coverage feedback (no libFuzzer/AFL here), the outcome label stands in
/// for it: an input that produces a label never seen before joins the parent pool and the corpus. A run is a pure
/// function of (seed, from, count, corpus contents); crashing and hanging inputs are written out as they happen.
/// </summary>
public static partial class FuzzRunner
{
    private const int MaxPool = 4096;

    public static FuzzReport Run(IFuzzTarget target, FuzzSettings settings, int from = 0)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(settings);
        var report = new FuzzReport { Target = target.Name };
        var times = new List<double>(settings.Count + 1024);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pool = new List<byte[]>(target.Seeds());
        var seedCount = pool.Count;
        var corpusFiles = settings.Corpus is { Exists: true } dir
            ? dir.GetFiles("*", SearchOption.TopDirectoryOnly).Where(f => !f.Name.StartsWith('.')).OrderBy(f => f.Name, StringComparer.Ordinal).ToList()
            : [];
        var replay = pool.Select((b, i) => (Name: $"seed#{i}", Bytes: b))
            .Concat(corpusFiles.Select(f => (Name: f.Name, Bytes: File.ReadAllBytes(f.FullName))))
            .ToList();
        pool.AddRange(corpusFiles.Select(f => File.ReadAllBytes(f.FullName)));

        using var watchdog = new Watchdog(settings, target.Name);
        var clock = Stopwatch.StartNew();
        foreach (var (name, bytes) in replay)
        {
            var label = Execute(target, bytes, name, settings, report, times, watchdog);
            seen.Add(label);
            report.Replayed++;
        }

        for (var i = from; i < from + settings.Count; i++)
        {
            var rng = new Random(Mix(settings.Seed, i));
            // Half the parents are pristine seeds: otherwise the pool drifts towards inputs already broken at the first byte
            // and most of the run tests only the outermost "not an image / not JSON" check.
            var parent = rng.Next(2) == 0 ? pool[rng.Next(seedCount)] : pool[rng.Next(pool.Count)];
            var input = target.Mutate(parent, pool, rng);
            var label = Execute(target, input, $"seed {settings.Seed} #{i}", settings, report, times, watchdog);
            if (seen.Add(label))
            {
                pool.Add(input);
                if (settings.SaveCorpus && settings.Corpus is not null && input.Length <= settings.MaxCorpusFileBytes)
                {
                    Save(settings.Corpus, Slug(label), input);
                    report.CorpusAdded++;
                }
            }
            else if (rng.Next(256) == 0 && input.Length <= 1 << 20)
            {
                // Keep some plain descendants as parents too, so mutations stack beyond one generation.
                if (pool.Count >= MaxPool)
                {
                    pool[rng.Next(pool.Count)] = input;
                }
                else
                {
                    pool.Add(input);
                }
            }

            if ((i - from + 1) % 10_000 == 0)
            {
                settings.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {i - from + 1,7} inputs  {(i - from + 1) / clock.Elapsed.TotalSeconds,6:0}/s  crashes {report.Crashes.Count}  hangs {report.Hangs.Count}  max {report.MaxMs:0.#} ms  outcomes {seen.Count}"));
            }
        }

        report.Seconds = clock.Elapsed.TotalSeconds;
        times.Sort();
        if (times.Count > 0)
        {
            report.P50Ms = times[times.Count / 2];
            report.P99Ms = times[Math.Min(times.Count - 1, (int)(times.Count * 0.99))];
        }

        return report;
    }

    private static string Execute(IFuzzTarget target, byte[] input, string name, FuzzSettings settings, FuzzReport report, List<double> times,
        Watchdog watchdog)
    {
        watchdog.Begin(input, name);
        var t0 = Stopwatch.GetTimestamp();
        string label;
        Exception? crash = null;
        try
        {
            label = target.Run(input);
        }
        catch (Exception e)
        {
            crash = e;
            label = "CRASH:" + e.GetType().Name;
        }

        var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        watchdog.End();
        times.Add(ms);
        report.Inputs++;
        report.Outcomes[label] = report.Outcomes.GetValueOrDefault(label) + 1;
        if (ms > report.MaxMs)
        {
            report.MaxMs = ms;
            report.SlowestInput = $"{name}, {input.Length} B, {label}";
        }

        if (crash is not null)
        {
            var key = crash.GetType().FullName + " at " + TopFrame(crash);
            report.CrashTypes[key] = report.CrashTypes.GetValueOrDefault(key) + 1;
            report.Crashes.Add($"{name}: {crash.GetType().Name}: {crash.Message}");
            if (settings.Crashes is not null && report.CrashTypes[key] <= 3)
            {
                var file = Save(settings.Crashes, "crash-" + target.Name + "-" + crash.GetType().Name, input);
                File.WriteAllText(file + ".txt", $"{name}\n{crash}\n");
            }

            if (report.CrashTypes[key] == 1)
            {
                settings.Log.WriteLine($"  CRASH {name}: {crash.GetType().Name}: {crash.Message}\n    {TopFrame(crash)}");
            }
        }

        if (ms > settings.HangMs)
        {
            report.Hangs.Add($"{name}: {ms:0} ms");
            settings.Log.WriteLine($"  HANG {name}: {ms:0} ms ({label})");
            if (settings.Crashes is not null)
            {
                Save(settings.Crashes, "hang-" + target.Name, input);
            }
        }

        return label;
    }

    private static string TopFrame(Exception e)
    {
        var frame = new StackTrace(e, false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("MoodBot", StringComparison.Ordinal) == true)
                    ?? new StackTrace(e, false).GetFrame(0);
        var m = frame?.GetMethod();
        return m is null ? "?" : $"{m.DeclaringType?.Name}.{m.Name}";
    }

    internal static string Save(DirectoryInfo dir, string prefix, byte[] input)
    {
        dir.Create();
        var hash = Convert.ToHexStringLower(SHA256.HashData(input))[..12];
        var path = Path.Combine(dir.FullName, $"{prefix}-{hash}.bin");
        if (!File.Exists(path))
        {
            File.WriteAllBytes(path, input);
        }

        return path;
    }

    /// <summary>A file-name-safe, short form of an outcome label.</summary>
    internal static string Slug(string label)
    {
        var s = NotSlug().Replace(label.ToLowerInvariant(), "-").Trim('-');
        return s.Length > 60 ? s[..60].TrimEnd('-') : s;
    }

    /// <summary>A message without its numbers (sizes, limits), cut short: the wording identifies the code path.</summary>
    public static string MessageKey(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var s = new string([.. message.Where(c => !char.IsAsciiDigit(c))]);
        return s.Length > 48 ? s[..48] : s;
    }

    /// <summary>SplitMix64 of (seed, index): neighbouring indices get unrelated generators.</summary>
    private static int Mix(int seed, int index)
    {
        var z = ((ulong)(uint)seed << 32) + (uint)index + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();

    /// <summary>
    /// Keeps the input in flight on disk (so a native crash that kills the process leaves it behind), and ends the
    /// process if one input runs past <see cref="FuzzSettings.AbortMs"/>, a hang nothing in-process can interrupt.
    /// </summary>
    private sealed class Watchdog : IDisposable
    {
        private readonly FuzzSettings _settings;
        private readonly FileStream? _inFlight;
        private readonly Timer _timer;
        private long _started;
        private string _name = string.Empty;
        private byte[] _input = [];

        public Watchdog(FuzzSettings settings, string target)
        {
            _settings = settings;
            if (settings.Crashes is not null)
            {
                settings.Crashes.Create();
                _inFlight = new FileStream(Path.Combine(settings.Crashes.FullName, $"in-flight-{target}.bin"), FileMode.Create, FileAccess.Write,
                    FileShare.Read, 1, FileOptions.None);
            }

            _timer = new Timer(_ => Check(), null, 250, 250);
        }

        public void Begin(byte[] input, string name)
        {
            _input = input;
            _name = name;
            if (_inFlight is not null)
            {
                _inFlight.SetLength(0);
                _inFlight.Write(input);
                _inFlight.Flush();
            }

            Volatile.Write(ref _started, Stopwatch.GetTimestamp());
        }

        public void End() => Volatile.Write(ref _started, 0);

        public void Dispose()
        {
            _timer.Dispose();
            if (_inFlight is not null)
            {
                var path = _inFlight.Name;
                _inFlight.Dispose();
                File.Delete(path);
            }
        }

        private void Check()
        {
            var started = Volatile.Read(ref _started);
            if (started == 0 || Stopwatch.GetElapsedTime(started).TotalMilliseconds < _settings.AbortMs)
            {
                return;
            }

            _settings.Log.WriteLine($"  ABORT {_name}: still running after {_settings.AbortMs:0} ms");
            if (_settings.Crashes is not null)
            {
                Save(_settings.Crashes, "abort", _input);
            }

            _settings.Log.Flush();
            Environment.Exit(3);
        }
    }
}
