using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MoodBot.Chaos.Tests;
using MoodBot.Discord.Tests.Fakes;
using MoodBot.Tests;

namespace MoodBot.LoadTest;

/// <summary>The crowd of issue 16: how many members, how big their photo, the bot settings to try.</summary>
internal sealed record CrowdSettings(int Members, int Side, int FaceScale, double MaxRssMegabytes, IReadOnlyList<string> Settings);

/// <summary>
/// Many members send a small PNG that decodes to many pixels at the same moment, to the bot as a real process
/// (<c>dotnet moodbot.dll</c>, as shipped) on the fake Discord's gateway over loopback. Reports the bot's peak resident
/// memory (VmHWM, which the kernel keeps for the whole life of the process, so no peak between samples is missed) and
/// how each member was answered: a recommendation, the busy message, another clear reply, or nothing (lost).
/// </summary>
internal static class CrowdRun
{
    private const double Mb = 1024 * 1024;

    public static async Task<int> RunAsync(CrowdSettings settings, TextWriter output, CancellationToken ct)
    {
        var png = CrowdPhoto.Png(settings.Side, settings.FaceScale);
        await using var fake = await FakeDiscord.StartAsync();
        fake.KeepUploads = false;
        fake.CdnFiles["crowd.png"] = (png, "image/png");
        var dir = Directory.CreateTempSubdirectory("moodbot-crowd-");
        try
        {
            var env = new Dictionary<string, string?>
            {
                ["MoodBot__Discord__Token"] = FakeDiscord.Token,
                ["MoodBot__Discord__ApplicationId"] = FakeDiscord.ApplicationId,
                ["MoodBot__Discord__ApiBaseUrl"] = fake.ApiBase.ToString(),
                ["MoodBot__Discord__CdnHosts__0"] = fake.Origin,
                ["MoodBot__Discord__CooldownSeconds"] = "0",
                ["MoodBot__Storage__SqlitePath"] = Path.Combine(dir.FullName, "moodbot.db"),
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__MoodBot.Vision"] = "Information",
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            };
            foreach (var s in settings.Settings)
            {
                var eq = s.IndexOf('=', StringComparison.Ordinal);
                env["MoodBot__" + s[..eq].Replace(":", "__", StringComparison.Ordinal)] = s[(eq + 1)..];
            }

            await using var bot = BotProcess.Start(env);
            var startClock = Stopwatch.StartNew();
            var (gateway, _) = await AcceptAsync(fake, ct);
            var ready = startClock.Elapsed;

            // One photo first, so the baseline has the models' arenas and the JIT in it, as a bot that has been up a while.
            var warm = new InteractionLedger(fake);
            var first = Payloads.MoodMusic(fake.CdnUrl("crowd.png"), width: settings.Side, height: settings.Side, size: png.Length,
                userId: "330000000000000000");
            warm.Sent(first);
            await gateway.SendDispatchAsync("INTERACTION_CREATE", first);
            var warmOutcome = (await warm.SettledAsync(TimeSpan.FromMinutes(2), ct))[0];
            var limits = await bot.WaitForLineAsync("Photo analysis:", TimeSpan.FromSeconds(30));
            var baseline = Read(bot.ProcessId, "VmRSS:");
            var warmPeak = Read(bot.ProcessId, "VmHWM:");

            var ledger = new InteractionLedger(fake);
            using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var samples = new List<(double At, long Rss, long Anon, long File)>();
            var clock = Stopwatch.StartNew();
            var sampler = SampleAsync(bot.ProcessId, clock, samples, stopSampling.Token);
            for (var i = 0; i < settings.Members; i++)
            {
                var interaction = Payloads.MoodMusic(fake.CdnUrl("crowd.png"), width: settings.Side, height: settings.Side, size: png.Length,
                    userId: (340_000_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture));
                ledger.Sent(interaction);
                await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
            }

            var outcomes = await ledger.SettledAsync(TimeSpan.FromMinutes(5), ct);
            var settled = clock.Elapsed;
            var peak = Read(bot.ProcessId, "VmHWM:");
            await stopSampling.CancelAsync();
            await sampler;
            foreach (var w in samples.GroupBy(x => (int)x.At))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {w.Key,3} s  RSS max {w.Max(x => x.Rss) / Mb,5:0} MB (anonymous {w.Max(x => x.Anon) / Mb,5:0}, file {w.Max(x => x.File) / Mb,4:0})"));
            }

            await bot.TerminateAsync();
            await bot.WaitForExitAsync(TimeSpan.FromSeconds(30));
            return Report(settings, png.Length, limits, ready, warmOutcome, baseline, warmPeak, peak, settled, outcomes, fake, output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The bot's first gateway session; its start (migrations, catalog seeding) can take a while on a busy box.</summary>
    private static async Task<(FakeGatewayConnection, System.Text.Json.Nodes.JsonNode)> AcceptAsync(FakeDiscord fake, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (await fake.NoConnectionWithinAsync(TimeSpan.FromSeconds(1)))
        {
            ct.ThrowIfCancellationRequested();
            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("the bot opened no gateway connection within 2 minutes");
            }
        }

        return await fake.AcceptSessionAsync();
    }

    private static int Report(CrowdSettings s, int pngBytes, string limits, TimeSpan ready, InteractionOutcome warm, long baseline, long warmPeak,
        long peak, TimeSpan settled, IReadOnlyList<InteractionOutcome> o, FakeDiscord fake, TextWriter output)
    {
        var answered = o.Count(x => x.Answered);
        var busy = o.Count(x => x.ClearError && x.ErrorText?.Contains("busy", StringComparison.Ordinal) == true);
        var otherReplies = o.Count(x => x.ClearError) - busy;
        var lost = o.Count(x => !x.Answered && !x.ClearError);
        var duplicated = o.Count(x => x.Duplicated);
        var ok = lost == 0 && duplicated == 0 && fake.Violations.Count == 0 && peak / Mb <= s.MaxRssMegabytes;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv,
            $"Crowd: {o.Count} members at once, each a {pngBytes / 1024.0:0} KB PNG of {s.Side}×{s.Side} ({(double)s.Side * s.Side / 1e6:0.0} MP); bot ready in {ready.TotalSeconds:0.0} s"));
        output.WriteLine("  bot: " + limits.Trim() + (s.Settings.Count > 0 ? $" (set: {string.Join(", ", s.Settings)})" : string.Empty));
        output.WriteLine(string.Create(inv,
            $"  warm-up photo {(warm.Answered ? "answered" : warm.ErrorText ?? "not answered")}; RSS after it {baseline / Mb:0} MB (peak so far {warmPeak / Mb:0} MB)"));
        output.WriteLine(string.Create(inv,
            $"  answered {answered}, busy {busy}, other replies {otherReplies}{(otherReplies > 0 ? $" (e.g. \"{o.First(x => x.ClearError && x.ErrorText?.Contains("busy", StringComparison.Ordinal) != true).ErrorText}\")" : string.Empty)}, lost {lost}, duplicated {duplicated}, spec violations {fake.Violations.Count}; all settled {settled.TotalSeconds:0.0} s after the first send"));
        output.WriteLine(string.Create(inv, $"  peak RSS (VmHWM) {peak / Mb:0} MB (limit {s.MaxRssMegabytes:0} MB)"));
        output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["members"] = o.Count,
            ["png_kb"] = Math.Round(pngBytes / 1024.0),
            ["megapixels"] = Math.Round((double)s.Side * s.Side / 1e6, 1),
            ["answered"] = answered,
            ["busy"] = busy,
            ["other_replies"] = otherReplies,
            ["lost"] = lost,
            ["duplicated"] = duplicated,
            ["settled_s"] = Math.Round(settled.TotalSeconds, 1),
            ["rss_baseline_mb"] = Math.Round(baseline / Mb),
            ["rss_peak_mb"] = Math.Round(peak / Mb),
            ["ok"] = ok,
        }));
        return ok ? 0 : 1;
    }

    private static async Task SampleAsync(int pid, Stopwatch clock, List<(double, long, long, long)> samples, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                samples.Add((clock.Elapsed.TotalSeconds, Read(pid, "VmRSS:"), Read(pid, "RssAnon:"), Read(pid, "RssFile:")));
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // The crowd has settled.
        }
    }

    /// <summary>A <c>/proc/&lt;pid&gt;/status</c> field in bytes (the kernel writes kB).</summary>
    private static long Read(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
