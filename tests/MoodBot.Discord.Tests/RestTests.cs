using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>The REST client's rate limiting and retries, against the fake's REST API.</summary>
public sealed class RestTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> NoHeaders = [];
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
        });
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

        await Rest.EditOriginalAsync(FakeDiscord.ApplicationId, "tok-a", new MessagePayload { Content = "hi" }, null, Ct);

        var patches = _fake.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(2, patches.Count);
        // retry_after from the body (0.4 s) wins over the coarser Retry-After header.
        var gap = Stopwatch.GetElapsedTime(patches[0].Timestamp, patches[1].Timestamp);
        Assert.InRange(gap, TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(950));
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

        var other = Stopwatch.GetTimestamp();
        await Rest.EditOriginalAsync(FakeDiscord.ApplicationId, "tok-c", body, null, Ct); // another webhook: another bucket
        var otherTook = Stopwatch.GetElapsedTime(other);
        var same = Stopwatch.GetTimestamp();
        await Rest.EditOriginalAsync(FakeDiscord.ApplicationId, "tok-b", body, null, Ct);
        var sameTook = Stopwatch.GetElapsedTime(same);

        Assert.True(otherTook < TimeSpan.FromMilliseconds(300), $"other bucket took {otherTook}");
        Assert.True(sameTook >= TimeSpan.FromMilliseconds(300), $"same bucket took only {sameTook}");
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
        var limited = await _fake.NextRequestAsync(r => r.Method == "PUT" && r.Json?.GetArrayLength() == 0);
        await GatewayTests.WaitUntilAsync(() => _bot.Logs.GetSnapshot().Any(r => r.Id.Id == 5002)); // the bot has seen the 429
        var gateway = Rest.GetGatewayBotAsync(Ct);
        await Rest.CreateInteractionResponseAsync("1", "tok-d", new InteractionResponse(5), Ct);
        var callback = _fake.Requests.Single(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        await Task.WhenAll(put, gateway);
        var discovery = _fake.Requests.Single(r => r.Is("GET", "/gateway/bot"));

        Assert.True(Stopwatch.GetElapsedTime(limited.Timestamp, discovery.Timestamp) >= TimeSpan.FromMilliseconds(500),
            "another route went out during the global limit");
        Assert.True(Stopwatch.GetElapsedTime(limited.Timestamp, callback.Timestamp) < TimeSpan.FromMilliseconds(400),
            "interaction callbacks are exempt from the global limit");
        Assert.Equal(putsBefore + 2, _fake.Requests.Count(r => r.Method == "PUT")); // the 429 and its retry
    }

    [Fact]
    public async Task ServerError_RetriedForIdempotentPut()
    {
        var puts = 0;
        _fake.OnRest = r => r.Method == "PUT" && Interlocked.Increment(ref puts) == 1 ? new FakeResponse(502) : null;

        await Rest.BulkOverwriteCommandsAsync(FakeDiscord.ApplicationId, null, [], Ct);

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
}
