using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>
/// The REST client's rate limiting and retries, against the fake's REST API. The bot's clock is a
/// <see cref="FakeTimeProvider"/> that only the test moves, so "held until reset" and "not held" are shown by what
/// the fake has (not) received while time stands still, never by elapsed wall-clock time (which a busy CI box stretches).
/// </summary>
public sealed class RestTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private FakeDiscord _fake = null!;
    private BotHost _bot = null!;

    public async ValueTask InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        // HTTP mode: no gateway traffic, just the command registration at start.
        _bot = await BotHost.StartAsync(_fake, c =>
        {
            c["MoodBot:Discord:Mode"] = "Http";
            c["MoodBot:Discord:PublicKey"] = new string('a', 64);
        }, _time);
        // Wait for the start-up registration to finish, so no test's OnRest can answer it.
        await GatewayTests.WaitUntilAsync(() => _bot.Logs.GetSnapshot().Any(r => r.Id.Id == 5003));
    }

    public async ValueTask DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _fake.DisposeAsync();
        _fake.AssertConforming();
    }

    private DiscordRestClient Rest => _bot.Services.GetRequiredService<DiscordRestClient>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EditOriginal_429OnRoute_WaitsRetryAfterThenSucceeds()
    {
        var calls = 0;
        _fake.OnRest = r => r.Method == "PATCH" && Interlocked.Increment(ref calls) == 1
            ? new FakeResponse(429, """{"message":"You are being rate limited.","retry_after":0.4,"global":false}""",
                new Dictionary<string, string> { ["X-RateLimit-Scope"] = "user", ["Retry-After"] = "1" })
            : null;

        var edit = Rest.EditOriginalAsync(FakeDiscord.ApplicationId, "tok-a", new MessagePayload { Content = "hi" }, null, Ct);
        var wait = await RateLimitWaitAsync("PATCH");

        // retry_after from the body (0.4 s) wins over the coarser Retry-After header.
        Assert.Equal(400, wait);
        await AdvanceAsync(TimeSpan.FromMilliseconds(399));
        Assert.Single(_fake.Requests, r => r.Method == "PATCH"); // held: time has not reached retry_after yet
        await AdvanceUntilAsync(edit);
        Assert.Equal(2, _fake.Requests.Count(r => r.Method == "PATCH"));
    }

    [Fact]
    public async Task Bucket_RemainingZero_HoldsThatRouteUntilResetButNotOtherTokens()
    {
        _fake.OnRest = r => r.Method == "PATCH"
            ? new FakeResponse(200, """{"id":"1","channel_id":"2","content":"","type":20}""",
                new Dictionary<string, string> { ["X-RateLimit-Bucket"] = "hash1", ["X-RateLimit-Limit"] = "5", ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset-After"] = "0.5" })
            : null;
        var body = new MessagePayload { Content = "hi" };
        await Rest.EditOriginalAsync(FakeDiscord.ApplicationId, "tok-b", body, null, Ct);

        // Another webhook is another bucket: it goes out while the bot's clock stands still.
        await Rest.EditOriginalAsync(FakeDiscord.ApplicationId, "tok-c", body, null, Ct);
        Assert.DoesNotContain(_bot.Logs.GetSnapshot(), r => r.Id.Id == 5001);

        var same = Rest.EditOriginalAsync(FakeDiscord.ApplicationId, "tok-b", body, null, Ct);
        Assert.Equal(500, await RateLimitWaitAsync("PATCH"));
        Assert.Equal(1, _fake.Requests.Count(r => r.Path.Contains("/tok-b/", StringComparison.Ordinal)));
        await AdvanceUntilAsync(same);
        Assert.Equal(2, _fake.Requests.Count(r => r.Path.Contains("/tok-b/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Global429_HoldsEveryOtherRouteButNotInteractionCallbacks()
    {
        var first = true;
        _fake.OnRest = r =>
        {
            if (r.Method == "PUT" && first)
            {
                first = false;
                return new FakeResponse(429, """{"message":"You are being rate limited.","retry_after":0.6,"global":true}""",
                    new Dictionary<string, string> { ["X-RateLimit-Global"] = "true", ["X-RateLimit-Scope"] = "global" });
            }

            return null;
        };

        var putsBefore = _fake.Requests.Count(r => r.Method == "PUT");
        var put = Rest.BulkOverwriteCommandsAsync(FakeDiscord.ApplicationId, null, [], Ct);
        Assert.Equal(600, await RateLimitWaitAsync("PUT")); // the 429's retry is held by the global limit
        var gateway = Rest.GetGatewayBotAsync(Ct);
        Assert.Equal(600, await RateLimitWaitAsync("GET")); // so is every other route

        // The bot's clock has not moved, so the global limit is still in force: the callback went out anyway.
        await Rest.CreateInteractionResponseAsync("1", "tok-d", new InteractionResponse(5), Ct);
        Assert.DoesNotContain(_fake.Requests, r => r.Is("GET", "/gateway/bot"));

        await AdvanceUntilAsync(Task.WhenAll(put, gateway));
        var order = _fake.Requests.ToList();
        var callback = order.FindIndex(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        var discovery = order.FindIndex(r => r.Is("GET", "/gateway/bot"));
        Assert.True(callback < discovery, "another route went out during the global limit");
        Assert.Equal(putsBefore + 2, _fake.Requests.Count(r => r.Method == "PUT")); // the 429 and its retry
    }

    [Fact]
    public async Task ServerError_RetriedForIdempotentPut()
    {
        var puts = 0;
        _fake.OnRest = r => r.Method == "PUT" && Interlocked.Increment(ref puts) == 1 ? new FakeResponse(502) : null;

        await AdvanceUntilAsync(Rest.BulkOverwriteCommandsAsync(FakeDiscord.ApplicationId, null, [], Ct));

        Assert.Equal(2, puts);
    }

    [Fact]
    public async Task ServerError_NotRetriedForPostFollowup()
    {
        _fake.OnRest = r => r.Method == "POST" ? new FakeResponse(500, """{"message":"oops","code":0}""") : null;

        var ex = await Assert.ThrowsAsync<DiscordRestException>(() =>
            Rest.CreateFollowupAsync(FakeDiscord.ApplicationId, "tok-e", new MessagePayload { Content = "x" }, null, Ct));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, ex.Status);
        Assert.DoesNotContain("tok-e", ex.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests, r => r.Method == "POST");
    }

    /// <summary>
    /// The wait (ms of bot time) the limiter announced for the first held request of <paramref name="method"/>, once its
    /// timer is armed. The log comes just before the timer is created, so the test also waits for the timer.
    /// </summary>
    private async Task<double> RateLimitWaitAsync(string method)
    {
        Microsoft.Extensions.Logging.Testing.FakeLogRecord? record = null;
        await GatewayTests.WaitUntilAsync(() => (record = _bot.Logs.GetSnapshot().FirstOrDefault(r =>
            r.Id.Id == 5001 && r.GetStructuredStateValue("Route")?.StartsWith(method + " ", StringComparison.Ordinal) == true)) is not null);
        return double.Parse(record!.GetStructuredStateValue("DelayMs")!, CultureInfo.InvariantCulture);
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        _time.Advance(by);
        await Task.Yield();
    }

    /// <summary>Moves the bot's clock in small steps until <paramref name="task"/> finishes (or the test's own timeout).</summary>
    private async Task AdvanceUntilAsync(Task task)
    {
        while (!task.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.WhenAny(task, Task.Delay(10, Ct));
        }

        await task;
    }
}
