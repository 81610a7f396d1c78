using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Discord;
using MoodBot.Discord.Tests.Fakes;
using MoodBot.Music;
using MoodBot.Tests;

namespace MoodBot.LoadTest;

internal sealed record LoadSettings(int Interactions, TimeSpan Duration, int Members, int CooldownSeconds, int Warmup);

/// <summary>One memory reading during the run.</summary>
internal sealed record MemorySample(TimeSpan At, long WorkingSet, long GcHeap);

/// <summary>
/// Sends <c>/moodmusic</c> interactions at an even rate over the gateway of the fake Discord to the bot as
/// <see cref="MoodBotHost.BuildBot"/> composes it, then reads from what the fake received whether each was deferred,
/// answered by an edit of the original, and answered once; memory is sampled throughout.
/// </summary>
internal static class LoadRun
{
    private static readonly TimeSpan DeferDeadline = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(LoadSettings settings, TextWriter output, CancellationToken ct)
    {
        var photos = LoadPhotos.Load();
        await using var fake = await FakeDiscord.StartAsync();
        fake.KeepUploads = false; // 200 chart PNGs held by the fake would read as the bot's memory growth
        foreach (var p in photos)
        {
            fake.CdnFiles[p.Name] = (p.Bytes, p.ContentType);
        }

        var data = Directory.CreateTempSubdirectory("moodbot-load-");
        try
        {
            var app = MoodBotHost.BuildBot(new Dictionary<string, string?>
            {
                ["urls"] = "http://127.0.0.1:0",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Polly"] = "Error",
                ["MoodBot:Discord:Token"] = FakeDiscord.Token,
                ["MoodBot:Discord:ApplicationId"] = FakeDiscord.ApplicationId,
                ["MoodBot:Discord:ApiBaseUrl"] = fake.ApiBase.ToString(),
                ["MoodBot:Discord:CdnHosts:0"] = fake.Origin,
                ["MoodBot:Discord:CooldownSeconds"] = settings.CooldownSeconds.ToString(CultureInfo.InvariantCulture),
                ["MoodBot:Storage:SqlitePath"] = Path.Combine(data.FullName, "moodbot.db"),
            });
            await using (app)
            {
                var catalog = await app.Services.GetRequiredService<CatalogImporter>()
                    .ImportAsync(SharedData.Path("datasets/music/data_moods.csv"), ct);
                var startedAt = Stopwatch.GetTimestamp();
                await app.StartAsync(ct);
                var (gateway, _) = await fake.AcceptSessionAsync();
                var status = app.Services.GetRequiredService<DiscordStatus>();
                while (!status.IsReady)
                {
                    await Task.Delay(10, ct);
                }

                var ready = Stopwatch.GetElapsedTime(startedAt);
                var result = await DriveAsync(settings, fake, gateway, photos, ct);
                await app.StopAsync(ct);
                return Report(settings, result, catalog.CatalogSize, photos, ready, fake, output);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }

    private sealed record DriveResult(
        IReadOnlyList<InteractionOutcome> Outcomes,
        IReadOnlyDictionary<string, string> PhotoOf,
        IReadOnlyList<MemorySample> Samples,
        long HeapBefore,
        long HeapAfter,
        TimeSpan SendSpan,
        TimeSpan Settled);

    private static async Task<DriveResult> DriveAsync(LoadSettings settings, FakeDiscord fake, FakeGatewayConnection gateway,
        IReadOnlyList<LoadPhoto> photos, CancellationToken ct)
    {
        if (settings.Warmup > 0)
        {
            var warm = new InteractionLedger(fake);
            for (var i = 0; i < settings.Warmup; i++)
            {
                var photo = photos[i % photos.Count];
                var interaction = Payloads.MoodMusic(fake.CdnUrl(photo.Name), width: photo.Width, height: photo.Height, size: photo.Bytes.Length,
                    contentType: photo.ContentType, userId: (320_000_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture));
                warm.Sent(interaction);
                await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
            }

            await warm.SettledAsync(TimeSpan.FromMinutes(1), ct);
        }

        var ledger = new InteractionLedger(fake);
        var photoOf = new Dictionary<string, string>(StringComparer.Ordinal);
        // Live objects only: a full collection before and after tells growth from garbage not yet collected.
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var samples = new List<MemorySample>();
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        var sampler = SampleAsync(samples, clock, stopSampling.Token);

        var interval = settings.Duration / settings.Interactions;
        for (var i = 0; i < settings.Interactions; i++)
        {
            // Against the schedule, not after the previous send: a slow send does not stretch the run.
            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, ct);
            }

            var photo = photos[i % photos.Count];
            var member = (310_000_000_000_000_000L + (i % settings.Members)).ToString(CultureInfo.InvariantCulture);
            var interaction = Payloads.MoodMusic(fake.CdnUrl(photo.Name), width: photo.Width, height: photo.Height, size: photo.Bytes.Length,
                contentType: photo.ContentType, userId: member);
            photoOf[interaction["id"]!.GetValue<string>()] = photo.Name;
            ledger.Sent(interaction);
            await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
        }

        var sendSpan = clock.Elapsed;
        var outcomes = await ledger.SettledAsync(TimeSpan.FromMinutes(3), ct);
        var settled = clock.Elapsed;
        // A few more samples after the work is done, to show where memory settles.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await stopSampling.CancelAsync();
        await sampler;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        return new DriveResult(outcomes, photoOf, samples, heapBefore, heapAfter, sendSpan, settled);
    }

    private static async Task SampleAsync(List<MemorySample> samples, Stopwatch clock, CancellationToken ct)
    {
        using var process = Process.GetCurrentProcess();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            do
            {
                process.Refresh();
                samples.Add(new MemorySample(clock.Elapsed, process.WorkingSet64, GC.GetGCMemoryInfo().HeapSizeBytes));
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private static int Report(LoadSettings settings, DriveResult r, long catalogSize, IReadOnlyList<LoadPhoto> photos, TimeSpan ready,
        FakeDiscord fake, TextWriter output)
    {
        var o = r.Outcomes;
        var defers = o.Where(x => x.ReceiveToCallback is not null).Select(x => x.ReceiveToCallback!.Value.TotalMilliseconds).Order().ToList();
        var answers = o.Where(x => x.SentToSettled is not null).Select(x => x.SentToSettled!.Value.TotalMilliseconds).Order().ToList();
        var deferred = o.Count(x => x.Acknowledged && x.CallbackType == 5);
        var answered = o.Count(x => x.Answered);
        var cooldown = o.Count(x => x.CallbackType == 4 && x.ErrorText?.Contains("again in", StringComparison.Ordinal) == true);
        var otherErrors = o.Count(x => x.ClearError) - cooldown;
        var unanswered = o.Count(x => !x.Answered && !x.ClearError);
        var duplicated = o.Count(x => x.Duplicated);
        var p50 = Percentile(defers, 0.50);
        var p99 = Percentile(defers, 0.99);
        var ws = r.Samples.Select(s => s.WorkingSet).ToList();
        const double Mb = 1024 * 1024;
        var violations = fake.Violations.Count;
        var ok = deferred == o.Count && answered == o.Count && duplicated == 0 && violations == 0 &&
                 p50 < DeferDeadline.TotalMilliseconds && p99 < DeferDeadline.TotalMilliseconds;

        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"Load: {o.Count} /moodmusic from {settings.Members} members over {r.SendSpan.TotalSeconds:0.0} s " +
            $"(cooldown {settings.CooldownSeconds} s, after {settings.Warmup} warm-up), {photos.Count} photos, catalog {catalogSize} tracks, bot ready {ready.TotalMilliseconds:0} ms after start"));
        output.WriteLine(string.Create(inv, $"  receive→deferred callback: p50 {p50:0} ms, p95 {Percentile(defers, 0.95):0} ms, p99 {p99:0} ms, max {defers.LastOrDefault():0} ms (deadline 3000 ms)"));
        output.WriteLine(string.Create(inv, $"  receive→answer:            p50 {Percentile(answers, 0.50):0} ms, p95 {Percentile(answers, 0.95):0} ms, p99 {Percentile(answers, 0.99):0} ms, max {answers.LastOrDefault():0} ms; all settled {r.Settled.TotalSeconds:0.0} s after the first send"));
        output.WriteLine(string.Create(inv, $"  deferred {deferred}/{o.Count}, answered by editing the original {answered}/{o.Count}, cooldown replies {cooldown}, other errors {otherErrors}, unanswered {unanswered}, duplicated {duplicated}, spec violations {violations}"));
        foreach (var group in o.GroupBy(x => r.PhotoOf[x.Id]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var example = group.FirstOrDefault(x => x.ErrorText is not null)?.ErrorText is { } e ? $" (e.g. \"{e}\")" : string.Empty;
            output.WriteLine(string.Create(inv, $"    {group.Key,-22} {group.Count(x => x.Answered),3}/{group.Count(),-3} answered{example}"));
        }

        output.WriteLine(string.Create(inv, $"  memory: working set {ws[0] / Mb:0.0} MB at the start, peak {ws.Max() / Mb:0.0} MB, {ws[^1] / Mb:0.0} MB at the end; " +
            $"live GC heap after a full collection {r.HeapBefore / Mb:0.0} MB before, {r.HeapAfter / Mb:0.0} MB after"));
        output.WriteLine("  working set / GC heap by 2 s (max in each window):");
        foreach (var window in r.Samples.GroupBy(s => (int)(s.At.TotalSeconds / 2)))
        {
            output.WriteLine(string.Create(inv, $"    {window.Key * 2,3}-{(window.Key * 2) + 2,-3} s  {window.Max(s => s.WorkingSet) / Mb,6:0.0} MB  {window.Max(s => s.GcHeap) / Mb,6:0.0} MB"));
        }

        var summary = new Dictionary<string, object>
        {
            ["interactions"] = o.Count,
            ["members"] = settings.Members,
            ["seconds"] = Math.Round(r.SendSpan.TotalSeconds, 1),
            ["cooldown_s"] = settings.CooldownSeconds,
            ["warmup"] = settings.Warmup,
            ["deferred"] = deferred,
            ["answered"] = answered,
            ["cooldown_replies"] = cooldown,
            ["other_errors"] = otherErrors,
            ["unanswered"] = unanswered,
            ["duplicated"] = duplicated,
            ["spec_violations"] = violations,
            ["defer_p50_ms"] = Math.Round(p50, 1),
            ["defer_p99_ms"] = Math.Round(p99, 1),
            ["defer_max_ms"] = Math.Round(defers.LastOrDefault(), 1),
            ["answer_p50_ms"] = Math.Round(Percentile(answers, 0.50), 1),
            ["answer_p99_ms"] = Math.Round(Percentile(answers, 0.99), 1),
            ["ws_start_mb"] = Math.Round(ws[0] / Mb, 1),
            ["ws_peak_mb"] = Math.Round(ws.Max() / Mb, 1),
            ["ws_end_mb"] = Math.Round(ws[^1] / Mb, 1),
            ["gc_live_start_mb"] = Math.Round(r.HeapBefore / Mb, 1),
            ["gc_live_end_mb"] = Math.Round(r.HeapAfter / Mb, 1),
            ["ok"] = ok,
        };
        output.WriteLine(JsonSerializer.Serialize(summary));
        return ok ? 0 : 1;
    }

    /// <summary>Nearest-rank percentile of an ascending list.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
