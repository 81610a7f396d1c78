using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using MoodBot.Core;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>
/// Faults on Discord's side during a burst of <c>/moodmusic</c>: a dropped gateway socket, 429 storms, 5xx bursts, a slow
/// or broken CDN. The bar: every interaction is answered or gets a clear private error, never twice, and the bot recovers.
/// Asserts are causal (what the fake received, in which order); the only time asserts are lower bounds ("waited at
/// least Retry-After"), which a slow box cannot break. Recovery figures go to the test output.
/// </summary>
public sealed class FaultTests : IAsyncLifetime
{
    private const string Limited = """{"message":"You are being rate limited.","retry_after":0.25,"global":false}""";
    private const string GloballyLimited = """{"message":"You are being rate limited.","retry_after":0.3,"global":true}""";
    private FakeDiscord _fake = null!;
    private BotHost? _bot;
    private InteractionLedger _ledger = null!;

    public async ValueTask InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        _ledger = new InteractionLedger(_fake);
    }

    public async ValueTask DisposeAsync()
    {
        if (_bot is not null)
        {
            await _bot.DisposeAsync();
        }

        await _fake.DisposeAsync();
        _fake.AssertConforming();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task GatewayDrop_MidBurst_MissedEventsReplayedOnResume_EveryInteractionAnsweredOnce()
    {
        _bot = await BotHost.StartAsync(_fake);
        var (first, _) = await _fake.AcceptSessionAsync("sess-burst");
        await GatewayTests.WaitUntilAsync(() => _bot.Status.IsReady); // READY itself must not be what the drop loses
        var journal = new List<(long Seq, JsonObject Dispatch)>();
        long seq = first.Sequence;

        // Ten go out back to back and the socket is dropped right behind them (no close frame): whatever the bot had not
        // read yet is lost with the connection, as on a real network.
        for (var i = 0; i < 10; i++)
        {
            await first.SendAsync(Journal(journal, ref seq, Interaction(i)));
        }

        var dropped = Stopwatch.GetTimestamp();
        first.Abort();
        // Members keep asking while the bot is away; Discord holds those events for the session.
        for (var i = 10; i < 15; i++)
        {
            Journal(journal, ref seq, Interaction(i));
        }

        var second = await _fake.NextConnectionAsync();
        var reconnected = Stopwatch.GetElapsedTime(dropped);
        Assert.True(second.Resumed);
        await second.SendHelloAsync(_fake.HeartbeatIntervalMs);
        var resume = await second.ExpectAsync(6);
        var resumedAfter = Stopwatch.GetElapsedTime(dropped);
        Assert.Equal("sess-burst", resume["d"]!["session_id"]!.GetValue<string>());

        // Discord replays every event after the sequence the bot says it has, then RESUMED.
        var lastSeen = resume["d"]!["seq"]!.GetValue<long>();
        var missed = journal.Where(j => j.Seq > lastSeen).ToList();
        foreach (var (_, dispatch) in missed)
        {
            await second.SendAsync(dispatch.DeepClone());
        }

        await second.SendAsync(new JsonObject { ["op"] = 0, ["t"] = "RESUMED", ["s"] = ++seq, ["d"] = new JsonObject() });
        for (var i = 15; i < 25; i++)
        {
            await second.SendAsync(Journal(journal, ref seq, Interaction(i)));
        }

        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);
        var settled = Stopwatch.GetElapsedTime(dropped);

        var summary = InteractionLedger.Summary(outcomes);
        Report($"gateway drop: reconnected after {reconnected.TotalMilliseconds:0} ms, RESUME sent after {resumedAfter.TotalMilliseconds:0} ms, " +
               $"{missed.Count} events replayed (bot had seq {lastSeen}); all 25 settled {settled.TotalMilliseconds:0} ms after the drop; {summary}");
        Assert.Equal(25, outcomes.Count);
        Assert.All(outcomes, o => Assert.True(o.Answered && !o.Duplicated, summary));
        Assert.Equal(25, _bot.Recommender.Requests.Count); // each photo analysed and recommended for exactly once
    }

    [Fact]
    public async Task RateLimitStorm_PerRouteOnEveryCallbackAndEdit_WaitsRetryAfterAndAnswersEachOnce()
    {
        _bot = await BotHost.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        _fake.OnRest = r => IsInteractionRoute(r) && attempts.AddOrUpdate(r.Method + r.Path, 1, (_, n) => n + 1) == 1
            ? new FakeResponse(429, Limited, new Dictionary<string, string>
            {
                ["Retry-After"] = "1",
                ["X-RateLimit-Scope"] = "user",
                ["X-RateLimit-Limit"] = "5",
                ["X-RateLimit-Remaining"] = "0",
                ["X-RateLimit-Reset-After"] = "0.25",
                ["X-RateLimit-Bucket"] = "storm",
            })
            : null;

        await SendBurstAsync(gateway, 20);
        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);

        var summary = InteractionLedger.Summary(outcomes);
        Report("per-route 429 storm: " + summary + "; " + RetryGaps());
        Assert.All(outcomes, o => Assert.True(o.Answered && !o.Duplicated && o.CallbackType == 5, summary));
        // Every limited request was sent again, and only after retry_after (0.25 s; the body wins over the header's 1 s).
        AssertRetriedNoSoonerThan(TimeSpan.FromMilliseconds(250), expectedRoutes: 40);
    }

    [Fact]
    public async Task RateLimitStorm_GlobalOnInteractionRoutes_HonoursRetryAfterThereToo()
    {
        // Interaction routes are exempt from the bot's global limit, so a global 429 on one means something upstream is
        // shedding load: the request that got it must still wait retry_after, not hammer straight back.
        _bot = await BotHost.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        _fake.OnRest = r => r.Method == "PATCH" && attempts.AddOrUpdate(r.Path, 1, (_, n) => n + 1) == 1
            ? new FakeResponse(429, GloballyLimited, new Dictionary<string, string> { ["X-RateLimit-Global"] = "true", ["X-RateLimit-Scope"] = "global" })
            : null;

        await SendBurstAsync(gateway, 10);
        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);

        var summary = InteractionLedger.Summary(outcomes);
        Report("global 429 storm: " + summary + "; " + RetryGaps());
        Assert.All(outcomes, o => Assert.True(o.Answered && !o.Duplicated, summary));
        AssertRetriedNoSoonerThan(TimeSpan.FromMilliseconds(300), expectedRoutes: 10);
    }

    [Fact]
    public async Task ServerErrorBurst_OnEveryEdit_RetriedAndEachAnsweredOnce()
    {
        _bot = await BotHost.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        // Editing @original is idempotent (the same edit twice shows the same message), so a 5xx there is worth a retry.
        _fake.OnRest = r => r.Method == "PATCH" && attempts.AddOrUpdate(r.Path, 1, (_, n) => n + 1) <= 2
            ? new FakeResponse(attempts[r.Path] == 1 ? 502 : 503, """{"message":"upstream","code":0}""")
            : null;

        await SendBurstAsync(gateway, 10);
        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);

        var summary = InteractionLedger.Summary(outcomes);
        Report("5xx burst on edits: " + summary);
        Assert.All(outcomes, o => Assert.True(o.Answered && !o.Duplicated, summary));
        Assert.All(attempts.Values, n => Assert.Equal(3, n));
        // The multipart body (embed + chart) survived the resend intact.
        Assert.All(_fake.Answers.Where(a => a.Request.Method == "PATCH" && a.Status == 200),
            a => Assert.True(a.Request.Files.ContainsKey("files[0]")));
    }

    [Fact]
    public async Task ServerErrorBurst_OnDeferCallbacks_NotRetriedButMemberGetsClearErrorOnce()
    {
        _bot = await BotHost.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var failed = 0;
        // A callback POST is never retried (Discord may have acted on it); the first five fail.
        _fake.OnRest = r => r.Path.EndsWith("/callback", StringComparison.Ordinal) && IsDefer(r) && Interlocked.Increment(ref failed) <= 5
            ? new FakeResponse(500, """{"message":"internal","code":0}""")
            : null;

        await SendBurstAsync(gateway, 10);
        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);

        var summary = InteractionLedger.Summary(outcomes);
        Report("5xx burst on callbacks: " + summary);
        Assert.Equal(5, outcomes.Count(o => o.ClearError && o.CallbackType == 4));
        Assert.Equal(5, outcomes.Count(o => o.Answered));
        Assert.DoesNotContain(outcomes, o => o.Duplicated || (!o.Answered && !o.ClearError));
        Assert.Equal(5, _bot.Recommender.Requests.Count); // the failed ones were not worked on behind the member's back
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cdn_SlowPastTheDownloadTimeout_MemberToldToTryAgain(bool bodyStalls)
    {
        _bot = await BotHost.StartAsync(_fake, services: s => s.PostConfigure<HttpStandardResilienceOptions>("AttachmentDownloader-standard", o =>
        {
            // Production allows 10 s a try and 45 s in all; shortened so the stall is felt within the test.
            o.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(300);
            o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(1);
        }));
        var (gateway, _) = await _fake.AcceptSessionAsync();
        // Never released: no answer at all, or headers and half the photo and then nothing (the pipeline's own
        // timeouts end at the headers, so only the download budget catches the second).
        var stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (bodyStalls)
        {
            _fake.CdnBodyGate = stall;
        }
        else
        {
            _fake.CdnGate = stall;
        }

        await SendBurstAsync(gateway, 3);
        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);

        var summary = InteractionLedger.Summary(outcomes);
        Report($"stalled CDN ({(bodyStalls ? "body" : "headers")}): " + summary);
        Assert.All(outcomes, o => Assert.True(o.ClearError && !o.Duplicated && o.CallbackType == 5, summary));
        Assert.All(outcomes, o => Assert.Contains("took too long", o.ErrorText, StringComparison.Ordinal));
        Assert.Empty(_bot.Analyzer.Photos);
        // An expected, explained failure: nothing of ours logs it as an error (Polly's own telemetry does, at its level).
        Assert.DoesNotContain(_bot.Logs.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Error &&
                                                            r.Category?.StartsWith("MoodBot", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData(200, "text/html", "isn't a photo")]
    [InlineData(404, "text/plain", "may have expired")]
    public async Task Cdn_AnswersWithGarbage_ClearPrivateErrorAndNothingAnalysed(int status, string contentType, string expected)
    {
        _bot = await BotHost.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        _fake.OnCdn = ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = contentType;
            return true;
        };

        await SendBurstAsync(gateway, 3);
        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);

        var summary = InteractionLedger.Summary(outcomes);
        Assert.All(outcomes, o => Assert.True(o.ClearError && !o.Duplicated, summary));
        Assert.All(outcomes, o => Assert.Contains(expected, o.ErrorText, StringComparison.Ordinal));
        Assert.Empty(_bot.Analyzer.Photos);
    }

    [Fact]
    public async Task Cdn_5xxBurst_DownloadRetriedAndAnswered()
    {
        _bot = await BotHost.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var hits = 0;
        _fake.OnCdn = ctx =>
        {
            if (Interlocked.Increment(ref hits) > 2)
            {
                return false;
            }

            ctx.Response.StatusCode = 503;
            return true;
        };

        await SendBurstAsync(gateway, 1);
        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(Assert.Single(outcomes).Answered, InteractionLedger.Summary(outcomes));
        Assert.Equal(3, hits);
    }

    /// <summary>
    /// Regression: a failure after the answer was posted (here the playlist save, with Spotify rate limiting) used to
    /// be handled as if nothing had been shown yet — the public reply with the tracks was deleted and replaced by an apology.
    /// </summary>
    [Fact]
    public async Task MoodMusic_PlaylistSaveFailsAfterTheReply_ReplyStaysAndFailureIsAPrivateFollowup()
    {
        _bot = await BotHost.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        _bot.Spotify.Linked[Payloads.UserId] = true;
        _bot.Spotify.SaveFailure = new PlaylistResult(false, "Spotify is busy right now — try saving again in a minute.", Problem: PlaylistProblem.RateLimited);
        var interaction = Payloads.MoodMusic(_fake.CdnUrl(), extra: [("playlist", 5, JsonValue.Create(true))]);
        var original = $"/webhooks/{FakeDiscord.ApplicationId}/{interaction["token"]}/messages/@original";

        await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
        await _fake.NextRequestAsync(r => r.Is("PATCH", original));
        var followup = await _fake.NextRequestAsync(r => r.Is("POST", $"/webhooks/{FakeDiscord.ApplicationId}/{interaction["token"]}"));

        Assert.Equal(64, followup.Json!.Value.GetProperty("flags").GetInt32());
        Assert.Contains("Spotify is busy", followup.Json.Value.GetProperty("content").GetString(), StringComparison.Ordinal);
        await _bot.DisposeAsync(); // drains the interaction: nothing else can still be sent
        _bot = null;
        Assert.DoesNotContain(_fake.Requests, r => r.Is("DELETE", original));
    }

    private JsonObject Interaction(int i) => Payloads.MoodMusic(_fake.CdnUrl(),
        userId: (300_000_000_000_002_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private JsonObject Journal(List<(long Seq, JsonObject Dispatch)> journal, ref long seq, JsonObject interaction)
    {
        _ledger.Sent(interaction);
        var dispatch = new JsonObject { ["op"] = 0, ["t"] = "INTERACTION_CREATE", ["s"] = ++seq, ["d"] = interaction };
        journal.Add((seq, dispatch));
        return dispatch;
    }

    private async Task SendBurstAsync(FakeGatewayConnection gateway, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var interaction = Interaction(i);
            _ledger.Sent(interaction);
            await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
        }
    }

    private static bool IsInteractionRoute(RecordedRequest r) =>
        r.Path.EndsWith("/callback", StringComparison.Ordinal) || (r.Method == "PATCH" && r.Path.StartsWith("/webhooks/", StringComparison.Ordinal));

    private static bool IsDefer(RecordedRequest r) => r.Json?.GetProperty("type").GetInt32() == 5;

    /// <summary>For each route that was limited: the gap between the 429'd attempt and the next one.</summary>
    private List<TimeSpan> Gaps() =>
        _fake.Answers.GroupBy(a => a.Request.Method + a.Request.Path)
            .Where(g => g.Any(a => a.Status == 429))
            .Select(g =>
            {
                var list = g.Select(a => a.Request.Timestamp).Order().ToList();
                return list.Count < 2 ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(list[0], list[1]);
            })
            .ToList();

    private string RetryGaps()
    {
        var gaps = Gaps().Where(g => g != TimeSpan.MaxValue).Select(g => g.TotalMilliseconds).Order().ToList();
        return gaps.Count == 0 ? "no retries" : $"retry gap min {gaps[0]:0} ms, max {gaps[^1]:0} ms over {gaps.Count} routes";
    }

    private void AssertRetriedNoSoonerThan(TimeSpan retryAfter, int expectedRoutes)
    {
        var gaps = Gaps();
        Assert.Equal(expectedRoutes, gaps.Count);
        Assert.All(gaps, g => Assert.True(g >= retryAfter && g != TimeSpan.MaxValue, $"retried after {g.TotalMilliseconds:0} ms"));
    }
}
