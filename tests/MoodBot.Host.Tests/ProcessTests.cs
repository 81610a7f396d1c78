using System.Diagnostics;
using System.Text.Json;
using MoodBot.Music;

namespace MoodBot.Host.Tests;

/// <summary>
/// The built <c>moodbot</c> run as its own process, as an operator runs it: a fresh machine's first command, and the two
/// file-system mistakes seen with the container (a root-owned <c>/data</c>, a secrets file mounted 0600 root).
/// </summary>
/// <remarks>
/// Permissions do not stop root, and CI runs the tests as root: there the process is started as <c>nobody</c> through
/// <c>runuser</c> (what <c>scripts/postgres.sh</c> does for PostgreSQL), so the folder and the file are refused by the
/// kernel exactly as they are for uid 10001 in the container. Run as another user, the process runs as that user.
/// </remarks>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProcessTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-process-");

    public ProcessTests() =>
        // Traversable by the unprivileged user the children run as (the folder is 0700 when created).
        File.SetUnixFileMode(_dir.FullName, (UnixFileMode)0b111_101_101);

    private static bool IsRoot => Environment.UserName == "root";

    [Fact]
    public async Task FreshMachine_AnalyzeJson_FiveOrMoreTracksFromTheShippedCatalogWithoutImportOrSpotify()
    {
        var photo = SharedData.Path("photos/bbt1.jpg");
        var db = Path.Combine(_dir.FullName, "fresh", "moodbot.db");

        var (code, stdout, stderr) = await RunAsync(["analyze", photo, "--json"], new() { ["MoodBot__Storage__SqlitePath"] = db }, asOperator: false);

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var tracks = json.RootElement.GetProperty("tracks").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();
        Assert.Equal("catalog", json.RootElement.GetProperty("source").GetString());
        Assert.InRange(tracks.Count, 5, 50);
        var shipped = ShippedCatalog.Read(Path.Combine(AppContext.BaseDirectory, ShippedCatalog.DefaultPath)).Select(t => t.Id).ToHashSet();
        Assert.All(tracks, id => Assert.Contains(id, shipped));
        Assert.Contains("loaded the 28356 shipped tracks", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataFolderNotWritable_OneLineSayingWhoMustOwnIt()
    {
        // A root-owned 0755 folder, as a host folder bind-mounted at /data is.
        var data = Directory.CreateDirectory(Path.Combine(_dir.FullName, "data"));
        if (!IsRoot)
        {
            File.SetUnixFileMode(data.FullName, (UnixFileMode)0b101_101_101);
        }

        var (code, _, stderr) = await RunAsync([], new() { ["MoodBot__Storage__SqlitePath"] = Path.Combine(data.FullName, "moodbot.db") }, asOperator: true);

        Assert.Equal(1, code);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith($"moodbot: cannot start: MoodBot:Storage:SqlitePath: cannot write to {data.FullName} (permission denied", line, StringComparison.Ordinal);
        Assert.Matches($@"make {data.FullName.Replace("/", "\\/", StringComparison.Ordinal)} writable by uid \d+ ", line);
    }

    [Fact]
    public async Task SecretsFileNotReadable_OneLineNamingTheFileAndTheFix()
    {
        var secrets = Path.Combine(_dir.FullName, "secrets.json");
        await File.WriteAllTextAsync(secrets, """{"MoodBot":{"Discord":{"Token":"t"}}}""", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(secrets, IsRoot ? (UnixFileMode)0b110_000_000 : UnixFileMode.None);

        var (code, _, stderr) = await RunAsync([], new()
        {
            ["MOODBOT_SECRETS_FILE"] = secrets,
            ["MoodBot__Storage__SqlitePath"] = Path.Combine(_dir.FullName, "moodbot.db"),
        }, asOperator: true);

        Assert.Equal(1, code);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith($"moodbot: cannot start: MOODBOT_SECRETS_FILE: {secrets} is not readable by this process", line, StringComparison.Ordinal);
        Assert.Contains("secrets:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchJson_PrintsRatiosBesideTimesAndTheVectorExtensions()
    {
        var photos = SharedData.Path("photos");
        // The LBP cascade shipped beside the binary stands in for Debian's Haar default as "the paper's method" (same
        // full-resolution scan, several times faster), so the ratio is always computed; the shape, not the speed, is under test.
        var cascade = Path.Combine(AppContext.BaseDirectory, "models", "lbpcascade_frontalface.xml");

        var (code, stdout, stderr) = await RunAsync(["bench", "--json", "--photos", photos, "--ground-truth", Path.Combine(_dir.FullName, "none.json"),
            "--baseline-cascade", cascade, "--iterations", "2", "--throughput-seconds", "0.3", "--sizes", "640x480", "800x600"],
            new() { ["MoodBot__Storage__SqlitePath"] = Path.Combine(_dir.FullName, "moodbot.db") }, asOperator: false);

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var ext = root.GetProperty("vector_extensions");
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx2.IsSupported, ext.GetProperty("avx2").GetBoolean());
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, ext.GetProperty("avx512f").GetBoolean());
        var cpuinfo = File.Exists("/proc/cpuinfo") ? await File.ReadAllTextAsync("/proc/cpuinfo", TestContext.Current.CancellationToken) : "";
        Assert.Equal(cpuinfo.Contains(" avx512_vnni", StringComparison.Ordinal), ext.GetProperty("avx512_vnni").GetBoolean());
        var machine = root.GetProperty("machine").GetString()!;
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx2.IsSupported, machine.Contains("AVX2", StringComparison.Ordinal));
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, machine.Contains("AVX-512", StringComparison.Ordinal));

        var ratios = root.GetProperty("ratios");
        Assert.Equal(["640x480", "800x600"], root.GetProperty("stages").EnumerateObject().Select(p => p.Name));
        Assert.Equal("640x480", root.GetProperty("throughput_size").GetString());
        foreach (var size in (string[])["640x480", "800x600"])
        {
            var ours = root.GetProperty("e2e_p50_ms").GetProperty(size).GetDouble();
            var decode = root.GetProperty("jpeg_decode_p50_ms").GetProperty(size).GetDouble();
            var paper = root.GetProperty("baseline_e2e_p50_ms").GetProperty(size).GetDouble();
            Assert.True(ours > 0 && decode > 0 && paper > 0, size);
            // The ratios are of the printed (rounded) times, so they agree with them to rounding.
            Assert.Equal(paper / ours, ratios.GetProperty("paper_over_ours").GetProperty(size).GetDouble(), 0.05 * paper / ours);
            Assert.Equal(ours / decode, ratios.GetProperty("ours_over_jpeg_decode").GetProperty(size).GetDouble(), 0.05 * ours / decode);
        }

        var one = root.GetProperty("throughput_per_s").GetProperty("1").GetDouble();
        var two = root.GetProperty("throughput_per_s").GetProperty("2").GetDouble();
        Assert.True(one > 0 && two > 0);
        Assert.Equal(two / one, ratios.GetProperty("workers_2_over_1").GetDouble(), 0.02 * two / one);
    }

    [Fact]
    public async Task BenchClassifierJson_OneRowPerSettingWithItsValues()
    {
        var floatModel = Path.Combine(AppContext.BaseDirectory, "models", "emotion.onnx");

        var (code, stdout, stderr) = await RunAsync(["bench-classifier", "--json", "--rounds", "1", "--calls", "3", "--also-model", floatModel],
            new() { ["MoodBot__Storage__SqlitePath"] = Path.Combine(_dir.FullName, "moodbot.db") }, asOperator: false);

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var rows = json.RootElement.GetProperty("settings").EnumerateArray().ToDictionary(r => r.GetProperty("setting").GetString()!);
        Assert.Equal(3, json.RootElement.GetProperty("calls_per_setting").GetInt32());
        Assert.Equal("ORT_DISABLE_ALL", rows["optimisation disabled"].GetProperty("optimisation").GetString());
        Assert.Equal(2, rows["2 intra-op threads"].GetProperty("intra_op_threads").GetInt32());
        Assert.False(rows["memory arena off"].GetProperty("memory_arena").GetBoolean());
        Assert.True(rows["tensors reused"].GetProperty("reuse_tensors").GetBoolean());
        Assert.EndsWith("emotion.onnx", rows["model emotion.onnx"].GetProperty("model").GetString(), StringComparison.Ordinal);
        Assert.All(rows.Values, r => Assert.True(r.GetProperty("p50_ms").GetDouble() > 0 && r.GetProperty("two_callers_calls_per_s").GetDouble() > 0));
    }

    [Theory]
    [InlineData("640")]
    [InlineData("640x")]
    [InlineData("10x10")]
    [InlineData("0x480")]
    public async Task Bench_BadSize_ExitsWithBadInputNamingIt(string size)
    {
        var photos = SharedData.Path("photos");

        var (code, _, stderr) = await RunAsync(["bench", "--photos", photos, "--sizes", size],
            new() { ["MoodBot__Storage__SqlitePath"] = Path.Combine(_dir.FullName, "moodbot.db") }, asOperator: false);

        Assert.Equal(3, code);
        Assert.Contains($"--sizes: '{size}' is not WxH", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <param name="asOperator">Run as an unprivileged user (nobody when the tests run as root).</param>
    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] args, Dictionary<string, string> env, bool asOperator)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "moodbot.dll");
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asOperator && IsRoot)
        {
            start.FileName = "runuser";
            foreach (var a in (string[])["-u", "nobody", "--", "dotnet", dll])
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = "dotnet";
            start.ArgumentList.Add(dll);
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // Only what the test sets: the runner's own MoodBot__* or Spotify settings must not leak in.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MoodBot__", StringComparison.OrdinalIgnoreCase) || k == "MOODBOT_SECRETS_FILE").ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["HOME"] = _dir.FullName;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The bot would otherwise start (empty token) and run until stopped; these cases must fail before that.
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
