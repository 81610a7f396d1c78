using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoodBot.Discord.Tests.Fakes;
using NSec.Cryptography;

namespace MoodBot.LoadTest;

/// <summary>What the client saw for one signed POST: when it was sent, when the whole answer was in, and what it was.</summary>
internal sealed record HttpAnswer(string Token, TimeSpan Latency, int Status, int? Type, string? Content, bool Ephemeral = false);

/// <summary>
/// HTTP interactions mode against the real bot process (<c>dotnet moodbot.dll</c>, as shipped) on loopback: signed
/// <c>/moodmusic</c> POSTs at an even rate, each from its own member, timed by the client from the first byte sent
/// to the last byte of the answer — what Discord's 3-second rule measures, which the bot's own "defer" metric cannot
/// see (it starts only once Kestrel has handed over the request). The fake Discord serves the photos and counts the
/// final edits of @original.
/// </summary>
internal static class HttpLoadRun
{
    private static readonly TimeSpan DeferTarget = TimeSpan.FromSeconds(1);

    /// <summary>
    /// LOADTEST_PING=1: PINGs instead (answered inline, no work behind them) at the same rate — the floor this machine
    /// and Kestrel set on the client-side latency, to read the /moodmusic figures against.
    /// </summary>
    private static bool PingControl => Environment.GetEnvironmentVariable("LOADTEST_PING") == "1";

    public static async Task<int> RunAsync(LoadSettings settings, TextWriter output, CancellationToken ct)
    {
        var photos = LoadPhotos.Load();
        await using var fake = await FakeDiscord.StartAsync();
        fake.KeepUploads = false;
        foreach (var p in photos)
        {
            fake.CdnFiles[p.Name] = (p.Bytes, p.ContentType);
        }

        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var data = Directory.CreateTempSubdirectory("moodbot-httpload-");
        var port = FreePort();
        var bot = StartBot(settings, fake, key, data.FullName, port);
        var lines = new ConcurrentQueue<string>();
        bot.OutputDataReceived += (_, e) => Keep(lines, e.Data);
        bot.ErrorDataReceived += (_, e) => Keep(lines, e.Data);
        bot.BeginOutputReadLine();
        bot.BeginErrorReadLine();
        try
        {
            var url = new Uri($"http://127.0.0.1:{port}/interactions");
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 1000 })
            {
                Timeout = TimeSpan.FromSeconds(15),
            };
            var ready = await WaitReadyAsync(http, port, bot, lines, ct);

            var warm = await SendAllAsync(http, url, key, fake, photos, settings.Warmup, TimeSpan.FromSeconds(settings.Warmup / 4.0), 330_000_000_000_000_000L, ct);
            if (!PingControl)
            {
                await new InteractionLedger(fake).WithSent(warm.Sent).SettledAsync(TimeSpan.FromMinutes(2), ct);
            }

            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var rss = new List<long>();
            var sampler = SampleRssAsync(bot, rss, sampling.Token);
            var run = await SendAllAsync(http, url, key, fake, photos, settings.Interactions, settings.Duration, 340_000_000_000_000_000L, ct);
            var ledger = new InteractionLedger(fake).WithSent(run.Sent);
            var outcomes = PingControl ? [] : await ledger.SettledAsync(TimeSpan.FromMinutes(3), ct);
            await sampling.CancelAsync();
            await sampler;
            // The bot's own view (receipt by the endpoint → answer written), to set beside the client's.
            var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), ct);
            foreach (var line in metrics.Split('\n').Where(l => l.Contains("stage=\"defer\"", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal)))
            {
                output.WriteLine("  bot metric: " + line);
            }

            return Report(settings, run, outcomes, rss, ready, output);
        }
        finally
        {
            if (!bot.HasExited)
            {
                bot.Kill(entireProcessTree: true);
                await bot.WaitForExitAsync(CancellationToken.None);
            }

            bot.Dispose();
            data.Delete(recursive: true);
        }
    }

    private sealed record SendResult(IReadOnlyList<JsonObject> Sent, IReadOnlyList<HttpAnswer> Answers, TimeSpan SendSpan);

    private static async Task<SendResult> SendAllAsync(HttpClient http, Uri url, Key key, FakeDiscord fake, IReadOnlyList<LoadPhoto> photos,
        int count, TimeSpan over, long firstMember, CancellationToken ct)
    {
        var sent = new List<JsonObject>();
        var pending = new List<Task<HttpAnswer>>();
        var clock = Stopwatch.StartNew();
        var interval = count == 0 ? TimeSpan.Zero : over / count;
        for (var i = 0; i < count; i++)
        {
            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, ct);
            }

            // Every interaction from its own member: no cooldown reply stands in for a real run.
            var photo = photos[i % photos.Count];
            var interaction = PingControl
                ? Payloads.Ping()
                : Payloads.MoodMusic(fake.CdnUrl(photo.Name), width: photo.Width, height: photo.Height, size: photo.Bytes.Length,
                    contentType: photo.ContentType, userId: (firstMember + i).ToString(CultureInfo.InvariantCulture));
            sent.Add(interaction);
            pending.Add(PostAsync(http, url, key, interaction, ct));
        }

        var span = clock.Elapsed;
        return new SendResult(sent, await Task.WhenAll(pending), span);
    }

    private static async Task<HttpAnswer> PostAsync(HttpClient http, Uri url, Key key, JsonObject interaction, CancellationToken ct)
    {
        var body = interaction.ToJsonString();
        var token = interaction["token"]!.GetValue<string>();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp + body))));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var latency = Stopwatch.GetElapsedTime(started);
            var json = response.IsSuccessStatusCode ? JsonNode.Parse(text) : null;
            var flags = json?["data"]?["flags"]?.GetValue<int>() ?? 0;
            return new HttpAnswer(token, latency, (int)response.StatusCode, json?["type"]?.GetValue<int>(), json?["data"]?["content"]?.GetValue<string>(),
                (flags & 64) != 0);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new HttpAnswer(token, Stopwatch.GetElapsedTime(started), 0, null, ex.GetType().Name);
        }
    }

    private static int Report(LoadSettings settings, SendResult run, IReadOnlyList<InteractionOutcome> outcomes, List<long> rss, TimeSpan ready, TextWriter output)
    {
        var answered = run.Answers.Where(a => a.Status == 200 && a.Type is 1 or 4 or 5).ToList();
        var latencies = answered.Select(a => a.Latency.TotalMilliseconds).Order().ToList();
        var deferred = answered.Count(a => a.Type == 5);
        var busy = answered.Count(a => a.Type == 4);
        // The payloads come from a server with default (public) settings: a private deferral means the settings read
        // missed its budget on the answer's path.
        var privateDeferrals = answered.Count(a => a.Type == 5 && a.Ephemeral);
        var lost = run.Answers.Count - answered.Count;
        var edits = outcomes.Count(o => o.Answered);
        var errors = outcomes.Count(o => o.ClearError && !o.Answered);
        var duplicated = outcomes.Count(o => o.Duplicated);
        var p50 = Percentile(latencies, 0.50);
        var p95 = Percentile(latencies, 0.95);
        var p99 = Percentile(latencies, 0.99);
        const double Mb = 1024 * 1024;
        var peak = rss.Count > 0 ? rss.Max() / Mb : double.NaN;
        var ok = !PingControl && lost == 0 && p99 <= DeferTarget.TotalMilliseconds && edits + errors == deferred && duplicated == 0;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv,
            $"HTTP load: {run.Answers.Count} signed /moodmusic from {run.Answers.Count} members over {run.SendSpan.TotalSeconds:0.0} s to the bot process on loopback (after {settings.Warmup} warm-up), bot ready {ready.TotalSeconds:0.0} s after start"));
        output.WriteLine(string.Create(inv,
            $"  client-side receive→deferral: p50 {p50:0} ms, p95 {p95:0} ms, p99 {p99:0} ms, max {latencies.LastOrDefault():0} ms (target p99 ≤ {DeferTarget.TotalMilliseconds:0} ms, Discord's limit 3000 ms)"));
        output.WriteLine(string.Create(inv,
            $"  answered {answered.Count}/{run.Answers.Count} (deferred {deferred}, of them private for want of the settings {privateDeferrals}; busy {busy}), lost {lost}; final edits of @original seen at the fake Discord {edits}/{deferred}, clear errors {errors}, duplicated {duplicated}; bot peak RSS {peak:0.0} MB"));
        foreach (var example in run.Answers.Where(a => a.Status != 200).Take(3))
        {
            output.WriteLine(string.Create(inv, $"    lost: status {example.Status} {example.Content}"));
        }

        output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["interactions"] = run.Answers.Count,
            ["ping_control"] = PingControl,
            ["seconds"] = Math.Round(run.SendSpan.TotalSeconds, 1),
            ["warmup"] = settings.Warmup,
            ["answered"] = answered.Count,
            ["deferred"] = deferred,
            ["busy"] = busy,
            ["private_deferrals"] = privateDeferrals,
            ["lost"] = lost,
            ["final_edits"] = edits,
            ["clear_errors"] = errors,
            ["duplicated"] = duplicated,
            ["defer_p50_ms"] = Math.Round(p50, 1),
            ["defer_p95_ms"] = Math.Round(p95, 1),
            ["defer_p99_ms"] = Math.Round(p99, 1),
            ["defer_max_ms"] = Math.Round(latencies.LastOrDefault(), 1),
            ["rss_peak_mb"] = Math.Round(peak, 1),
            ["ok"] = ok,
        }));
        return ok ? 0 : 1;
    }

    private static Process StartBot(LoadSettings settings, FakeDiscord fake, Key key, string dir, int port)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "moodbot.dll"));
        foreach (var k in info.Environment.Keys.Where(k => k.StartsWith("MoodBot__", StringComparison.OrdinalIgnoreCase) ||
                                                          k is "MOODBOT_SECRETS_FILE" or "ASPNETCORE_URLS").ToList())
        {
            info.Environment.Remove(k);
        }

        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Polly"] = "Error";
        info.Environment["MoodBot__Discord__Token"] = FakeDiscord.Token;
        info.Environment["MoodBot__Discord__ApplicationId"] = FakeDiscord.ApplicationId;
        info.Environment["MoodBot__Discord__ApiBaseUrl"] = fake.ApiBase.ToString();
        info.Environment["MoodBot__Discord__CdnHosts__0"] = fake.Origin;
        info.Environment["MoodBot__Discord__Mode"] = "Http";
        info.Environment["MoodBot__Discord__PublicKey"] = Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        info.Environment["MoodBot__Discord__CooldownSeconds"] = settings.CooldownSeconds.ToString(CultureInfo.InvariantCulture);
        info.Environment["MoodBot__Storage__SqlitePath"] = Path.Combine(dir, "moodbot.db");
        if (Environment.GetEnvironmentVariable("LOADTEST_HTTP_WORKERS") is { Length: > 0 } workers)
        {
            info.Environment["MoodBot__Discord__HttpWorkers"] = workers; // for comparing worker counts; unset = the bot's default
        }
        return Process.Start(info)!;
    }

    private static async Task<TimeSpan> WaitReadyAsync(HttpClient http, int port, Process bot, ConcurrentQueue<string> lines, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (bot.HasExited)
            {
                throw new InvalidOperationException("the bot exited:\n" + string.Join('\n', lines));
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException("the bot did not become ready:\n" + string.Join('\n', lines));
    }

    private static async Task SampleRssAsync(Process bot, List<long> samples, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            do
            {
                bot.Refresh();
                samples.Add(bot.WorkingSet64);
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Keep(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
            while (lines.Count > 200)
            {
                lines.TryDequeue(out _);
            }
        }
    }

    /// <summary>Nearest-rank percentile of an ascending list.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
