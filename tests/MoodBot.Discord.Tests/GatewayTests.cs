using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>The real gateway worker against a fake gateway: sessions, heartbeats, resumes and close codes.</summary>
public sealed class GatewayTests : IAsyncLifetime
{
    // Heartbeat interval 20 s of bot time; the bot's clock runs 10× so a beat comes every ~2 s of real time: short
    // enough for fast tests, long enough that a busy CI box never misses an ACK deadline and fakes a zombie.
    private static readonly FastTime Time = new(10);
    private FakeDiscord _fake = null!;
    private BotHost? _bot;

    public async ValueTask InitializeAsync() => _fake = await FakeDiscord.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_bot is not null)
        {
            foreach (var r in _bot.Logs.GetSnapshot())
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{r.Timestamp:HH:mm:ss.fff} {r.Level} {r.Id.Id} {r.Message} {r.Exception?.GetType().Name} {r.Exception?.Message}");
            }

            await _bot.DisposeAsync();
        }

        await _fake.DisposeAsync();
        _fake.AssertConforming();
    }

    [Fact]
    public async Task Start_GatewayMode_DiscoversUrlThenIdentifiesWithTokenNoIntentsAndShard()
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);

        var discovery = await _fake.NextRequestAsync(r => r.Is("GET", "/gateway/bot"));
        var (conn, identify) = await _fake.AcceptSessionAsync();

        Assert.Equal("Bot " + FakeDiscord.Token, discovery.Authorization);
        Assert.Equal("?v=10&encoding=json", conn.Query);
        Assert.False(conn.Resumed);
        var d = identify["d"]!;
        Assert.Equal(FakeDiscord.Token, d["token"]!.GetValue<string>());
        Assert.Equal(0, d["intents"]!.GetValue<int>());
        Assert.Equal("[0,1]", d["shard"]!.ToJsonString());
        Assert.Equal("""{"os":"linux","browser":"moodbot","device":"moodbot"}""", d["properties"]!.ToJsonString());
        await WaitUntilAsync(() => _bot.Status.IsReady);
    }

    /// <summary>Regression (fuzzing): a malformed frame used to throw out of the receive loop and drop every member's connection.</summary>
    [Fact]
    public async Task MalformedFrames_Skipped_ConnectionKeptAndNextInteractionAnswered()
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync();
        await WaitUntilAsync(() => _bot.Status.IsReady);
        string[] garbage =
        [
            "not json", "[1,2,3]", "\"text\"", "{\"op\":\"zero\"}", "{\"op\":0,\"t\":7,\"s\":\"x\",\"d\":[]}",
            "{\"op\":0,\"t\":\"INTERACTION_CREATE\",\"s\":1e300,\"d\":{\"id\":[]}}", "{\"op\":9.5}", "{\"op\":11,\"d\":{\"x\":{}}",
            // A duplicate key, a lone surrogate in the event name, and an interaction that is no object.
            "{\"op\":0,\"op\":0,\"t\":\"GUILD_CREATE\",\"d\":{}}", "{\"op\":0,\"t\":\"\\ud800\",\"d\":{}}",
            "{\"op\":0,\"t\":\"INTERACTION_CREATE\",\"d\":\"\\ud800\"}",
        ];
        foreach (var frame in garbage)
        {
            await conn.SendRawAsync(frame);
        }

        var interaction = Payloads.Command("unlink");
        await conn.SendDispatchAsync("INTERACTION_CREATE", interaction);

        await _fake.NextRequestAsync(r => r.Is("POST", $"/interactions/{interaction["id"]}/{interaction["token"]}/callback"));
        Assert.False(conn.Closed.IsCompleted);
        Assert.True(_bot.Status.IsReady);
    }

    /// <summary>Regression: a READY whose fields had the wrong type threw out of the shard and ended the bot's gateway.</summary>
    [Fact]
    public async Task Ready_FieldsOfWrongType_SessionStartsAndTheNextConnectionIdentifies()
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var conn = await _fake.NextConnectionAsync();
        await conn.SendHelloAsync(_fake.HeartbeatIntervalMs);
        await conn.ExpectAsync(2);

        await conn.SendDispatchAsync("READY", new JsonObject { ["session_id"] = 7, ["resume_gateway_url"] = new JsonArray() });
        await WaitUntilAsync(() => _bot.Status.IsReady);
        await conn.CloseAsync(4000);

        // No session id to resume with: a fresh session on the discovered URL.
        var next = await _fake.NextConnectionAsync();
        await next.SendHelloAsync(_fake.HeartbeatIntervalMs);
        Assert.False(next.Resumed);
        await next.ExpectAsync(2);
    }

    /// <summary>
    /// Regression: an interval beyond what a timer can wait (about 49 days) faulted the heartbeat loop; the connection
    /// went on unbeaten, and its end then faulted the shard.
    /// </summary>
    [Fact]
    public async Task Hello_IntervalTooLongToHonour_ConnectionDroppedAndTheNextOneIdentifies()
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var first = await _fake.NextConnectionAsync();

        await first.SendRawAsync("{\"op\":10,\"d\":{\"heartbeat_interval\":1e12}}");

        var (second, identify) = await _fake.AcceptSessionAsync();
        Assert.False(second.Resumed);
        Assert.Equal(FakeDiscord.Token, identify["d"]!["token"]!.GetValue<string>());
        Assert.Contains(_bot.Logs.GetSnapshot(), r => r.Id.Id == 5093 && r.Message.Contains("heartbeat_interval", StringComparison.Ordinal));
        await WaitUntilAsync(() => _bot.Status.IsReady);
    }

    [Fact]
    public async Task Heartbeat_AfterDispatches_CarriesLastSequenceAndAnswersServerRequest()
    {
        // The default interval is days of bot time: a beat seen here is the answer to the server's op 1, not a periodic one.
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync();
        await conn.SendDispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = "1" });
        await conn.SendDispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = "2" });

        await conn.SendAsync(new JsonObject { ["op"] = 1, ["d"] = null });
        var beat = await conn.NextHeartbeatAsync();

        Assert.Equal(3, beat["d"]!.GetValue<long>()); // READY was 1; the op 1 came after both dispatches
    }

    [Fact]
    public async Task Reconnect_Op7_ResumesOnResumeUrlWithSessionAndLastSequence()
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync("sess-42");
        await conn.SendDispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = "1" });

        await conn.SendAsync(new JsonObject { ["op"] = 7, ["d"] = null });

        var closed = await conn.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.NotEqual(WebSocketCloseStatus.NormalClosure, closed); // 1000 would end the session
        var (resume, second) = await ExpectResumeAsync();
        Assert.True(second.Resumed);
        Assert.Equal("sess-42", resume["d"]!["session_id"]!.GetValue<string>());
        Assert.Equal(2, resume["d"]!["seq"]!.GetValue<long>());
        Assert.Equal(FakeDiscord.Token, resume["d"]!["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task DroppedSocket_NoCloseFrame_ResumesWithLastSequence()
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync("sess-drop");
        await conn.SendDispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = "1" });
        await conn.SendDispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = "2" });
        await WaitUntilAsync(() => _bot.Status.IsReady);
        // Ready does not mean both dispatches were read: a heartbeat request (op 1) is answered in order, so a
        // heartbeat carrying seq 3 proves the bot saw both before the socket drops (this raced on a loaded CI box).
        await conn.SendAsync(new JsonObject { ["op"] = 1, ["d"] = null });
        while ((await conn.NextHeartbeatAsync())["d"]?.GetValue<long>() != 3)
        {
        }

        conn.Abort();

        var (resume, _) = await ExpectResumeAsync();
        Assert.Equal("sess-drop", resume["d"]!["session_id"]!.GetValue<string>());
        Assert.Equal(3, resume["d"]!["seq"]!.GetValue<long>());
    }

    [Fact]
    public async Task ZombieConnection_NoHeartbeatAck_ClosesAndResumes()
    {
        _fake.HeartbeatIntervalMs = 20_000; // 2 s real; with AutoAck off the ACK never comes, however slow the box
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync("sess-zombie");
        conn.AutoAck = false;

        var (resume, _) = await ExpectResumeAsync();

        Assert.Equal("sess-zombie", resume["d"]!["session_id"]!.GetValue<string>());
        Assert.Contains(_bot.Logs.GetSnapshot(), r => r.Id.Id == 5015);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task InvalidSession_Op9_ReidentifiesOrResumesAsTheFlagSays(bool resumable)
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync("sess-invalid");

        await conn.SendAsync(new JsonObject { ["op"] = 9, ["d"] = resumable });

        var next = await _fake.NextConnectionAsync();
        await next.SendHelloAsync(_fake.HeartbeatIntervalMs);
        if (resumable)
        {
            Assert.True(next.Resumed);
            var resume = await next.ExpectAsync(6);
            Assert.Equal("sess-invalid", resume["d"]!["session_id"]!.GetValue<string>());
        }
        else
        {
            Assert.False(next.Resumed); // a fresh session starts on the discovered URL, not resume_gateway_url
            var identify = await next.ExpectAsync(2);
            Assert.Equal(FakeDiscord.Token, identify["d"]!["token"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData(4000, true)]
    [InlineData(4008, true)]
    [InlineData(4007, false)]
    [InlineData(4009, false)]
    public async Task ServerClose_NonFatalCode_ResumesOrReidentifies(int code, bool resumes)
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync("sess-close");

        await conn.CloseAsync(code);

        var next = await _fake.NextConnectionAsync();
        await next.SendHelloAsync(_fake.HeartbeatIntervalMs);
        Assert.Equal(resumes, next.Resumed);
        await next.ExpectAsync(resumes ? 6 : 2);
    }

    [Theory]
    [InlineData(4004)]
    [InlineData(4010)]
    [InlineData(4011)]
    [InlineData(4012)]
    [InlineData(4013)]
    [InlineData(4014)]
    public async Task ServerClose_FatalCode_StopsWithClearLogAndNoReconnect(int code)
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync();

        await conn.CloseAsync(code);

        // 1 s real = 10 s of bot time: well beyond the first reconnect backoff (at most 1.25 s).
        Assert.True(await _fake.NoConnectionWithinAsync(TimeSpan.FromSeconds(1)));
        var critical = Assert.Single(_bot.Logs.GetSnapshot(), r => r.Id.Id == 5014);
        Assert.Equal(LogLevel.Critical, critical.Level);
        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), critical.Message, StringComparison.Ordinal);
        Assert.False(_bot.Status.IsReady);
        Assert.NotNull(_bot.Status.FatalError);
        Assert.Equal(code == 4004, _bot.Status.TokenRejected); // only a refused token makes /readyz name the token key
    }

    [Fact]
    public async Task Stop_Host_ClosesTheGatewayCleanly()
    {
        _bot = await BotHost.StartAsync(_fake, time: Time);
        var (conn, _) = await _fake.AcceptSessionAsync();
        await WaitUntilAsync(() => _bot.Status.IsReady);

        await _bot.DisposeAsync();
        _bot = null;

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await conn.Closed.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.True(await _fake.NoConnectionWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Sharding_Configured_IdentifiesOnlyThatShard()
    {
        _fake.Shards = 4;
        _bot = await BotHost.StartAsync(_fake, c =>
        {
            c["MoodBot:Discord:ShardId"] = "2";
            c["MoodBot:Discord:ShardCount"] = "3";
        }, Time);

        var (_, identify) = await _fake.AcceptSessionAsync();

        Assert.Equal("[2,3]", identify["d"]!["shard"]!.ToJsonString());
        Assert.True(await _fake.NoConnectionWithinAsync(TimeSpan.FromMilliseconds(700)));
    }

    [Fact]
    public async Task Sharding_Automatic_RunsEveryShardSpacingIdentifiesByMaxConcurrency()
    {
        _fake.Shards = 2;
        _fake.MaxConcurrency = 1;
        _bot = await BotHost.StartAsync(_fake, time: Time);

        // Both shards connect at once; only their Identifies are spaced. Hello goes to both, then the later Identify
        // must come at least 5 s (bot time) after that: the earlier one cannot have been sent before its Hello, and the
        // gate holds the later one 5 s after it. Measured from before the Hellos, so a slow box only lengthens it.
        var conns = new[] { await _fake.NextConnectionAsync(), await _fake.NextConnectionAsync() };
        var hellosAt = Time.GetTimestamp();
        foreach (var c in conns)
        {
            await c.SendHelloAsync(_fake.HeartbeatIntervalMs);
        }

        var identifies = await Task.WhenAll(conns.Select(c => c.ExpectAsync(2)));
        var lastIdentifyAt = Time.GetTimestamp();

        Assert.Equal(["[0,2]", "[1,2]"], identifies.Select(i => i["d"]!["shard"]!.ToJsonString()).Order());
        // max_concurrency 1: one identify per 5 s (bot time); 4.5 leaves room for timer granularity on the 10× clock.
        Assert.True(Time.GetElapsedTime(hellosAt, lastIdentifyAt) >= TimeSpan.FromSeconds(4.5));
    }

    private async Task<(JsonNode Resume, FakeGatewayConnection Connection)> ExpectResumeAsync()
    {
        var next = await _fake.NextConnectionAsync();
        Assert.True(next.Resumed);
        await next.SendHelloAsync(_fake.HeartbeatIntervalMs);
        var resume = await next.ExpectAsync(6);
        await next.SendDispatchAsync("RESUMED", new JsonObject());
        return (resume, next);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
