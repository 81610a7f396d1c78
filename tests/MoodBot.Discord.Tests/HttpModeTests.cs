using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Tests.Fakes;
using NSec.Cryptography;

namespace MoodBot.Discord.Tests;

/// <summary>HTTP interactions mode: Discord POSTs signed interactions to our Kestrel endpoint.</summary>
public sealed class HttpModeTests : IAsyncLifetime
{
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly Key _otherKey = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly HttpClient _client = new();
    private FakeDiscord _fake = null!;
    private BotHost _bot = null!;

    public async ValueTask InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        _bot = await BotHost.StartAsync(_fake, c =>
        {
            c["MoodBot:Discord:Mode"] = "Http";
            c["MoodBot:Discord:PublicKey"] = Convert.ToHexStringLower(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        });
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _bot.DisposeAsync();
        await _fake.DisposeAsync();
        _key.Dispose();
        _otherKey.Dispose();
        _fake.AssertConforming();
    }

    [Fact]
    public async Task Ping_ValidSignature_Pong()
    {
        using var response = await PostAsync(Payloads.Ping().ToJsonString(), _key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(1, json["type"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("other-key")]
    [InlineData("tampered-body")]
    [InlineData("missing-headers")]
    [InlineData("stale-timestamp")]
    [InlineData("future-timestamp")]
    [InlineData("garbage-signature")]
    public async Task Interaction_ForgedOrStaleSignature_Returns401(string forgery)
    {
        var body = Payloads.Ping().ToJsonString();
        var now = DateTimeOffset.UtcNow;
        using var response = forgery switch
        {
            "other-key" => await PostAsync(body, _otherKey),
            "tampered-body" => await PostAsync(body, _key, sendBody: body.Replace("\"type\":1", "\"type\":2", StringComparison.Ordinal)),
            "missing-headers" => await PostAsync(body, null),
            "stale-timestamp" => await PostAsync(body, _key, now.AddMinutes(-6)),
            "future-timestamp" => await PostAsync(body, _key, now.AddMinutes(6)),
            _ => await PostAsync(body, _key, signatureOverride: new string('z', 128)),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task MoodMusic_OverHttp_DeferredInTheResponseThenOriginalEdited()
    {
        var interaction = Payloads.MoodMusic(_fake.CdnUrl());
        // The photo download is held until the test has the HTTP answer: the edit cannot come first, however the
        // threads are scheduled, unless the bot answers only after doing the work.
        _fake.CdnGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var response = await PostAsync(interaction.ToJsonString(), _key);
        Assert.DoesNotContain(_fake.Requests, r => r.Method == "PATCH");
        _fake.CdnGate.SetResult();
        var edit = await _fake.NextRequestAsync(r => r.Is("PATCH", $"/webhooks/{FakeDiscord.ApplicationId}/{interaction["token"]}/messages/@original"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(5, json["type"]!.GetValue<int>());
        Assert.DoesNotContain(_fake.Requests, r => r.Path.EndsWith("/callback", StringComparison.Ordinal)); // the HTTP answer was the callback
        Assert.Equal(JsonValueKind.Array, edit.Json!.Value.GetProperty("embeds").ValueKind);
    }

    [Fact]
    public async Task SlowHandler_PastTheAnswerBudget_DeferredOnItsBehalfThenItsReplyEditsTheOriginal()
    {
        await using var bot = await BotHost.StartAsync(_fake, c =>
        {
            c["MoodBot:Discord:Mode"] = "Http";
            c["MoodBot:Discord:PublicKey"] = Convert.ToHexStringLower(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        }, services: s => s.AddScoped<IInteractionHandler, SlowHandler>());
        var interaction = Payloads.Command("slow");

        using var response = await PostAsync(interaction.ToJsonString(), _key, host: bot);
        var edit = await _fake.NextRequestAsync(r => r.Is("PATCH", $"/webhooks/{FakeDiscord.ApplicationId}/{interaction["token"]}/messages/@original"));

        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(5, json["type"]!.GetValue<int>());
        Assert.Equal("done at last", edit.Json!.Value.GetProperty("content").GetString());
    }

    [Fact]
    public async Task SlowWork_ClientAbortsWhileTheDeferralIsPrepared_WorkStillRunsAndTheOriginalIsEdited()
    {
        // The handler's plan (which deferral to send) is held until the client has closed the socket.
        var planning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var bot = await BotHost.StartAsync(_fake, HttpMode,
            services: s => s.AddScoped<IInteractionHandler>(_ => new HeldPlanHandler(planning, release)));
        var interaction = Payloads.Command(HeldPlanHandler.Name);
        var ct = TestContext.Current.CancellationToken;

        using (var socket = new System.Net.Sockets.TcpClient())
        {
            await socket.ConnectAsync(bot.Url.Host, bot.Url.Port, ct);
            await socket.GetStream().WriteAsync(Encoding.UTF8.GetBytes(RawRequest(interaction.ToJsonString(), bot.Url)), ct);
            await planning.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            socket.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0); // RST, as a client that gives up does
        }

        // Kestrel notices the reset on its next read of the connection; the deferral then finds the request aborted.
        await Task.Delay(300, ct);
        release.SetResult();
        var original = $"/webhooks/{FakeDiscord.ApplicationId}/{interaction["token"]}/messages/@original";
        var edit = await _fake.NextRequestAsync(r => r.Is("PATCH", original));

        Assert.Equal(HeldPlanHandler.Answer, edit.Json!.Value.GetProperty("content").GetString());
        Assert.Contains(bot.Logs.GetSnapshot(), r => r.Id.Id == 5043); // the answer was abandoned, not written
        Assert.Single(_fake.Requests, r => r.Is("PATCH", original));
    }

    [Fact]
    public async Task MoodMusic_QueueFull_BusyMessageOnlyTheMemberSeesAndTheQueuedOnesAnswered()
    {
        await using var bot = await BotHost.StartAsync(_fake, c =>
        {
            HttpMode(c);
            c["MoodBot:Discord:HttpWorkers"] = "1";
            c["MoodBot:Discord:HttpQueueCapacity"] = "1";
        });
        using var analyzing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bot.Analyzer.Analyze = _ =>
        {
            analyzing.Set();
            release.Wait(TimeSpan.FromSeconds(20));
            return FakePhotoAnalyzer.WithFaces(FakePhotoAnalyzer.Happy);
        };
        var running = Payloads.MoodMusic(_fake.CdnUrl(), userId: "210000000000000001");
        var waiting = Payloads.MoodMusic(_fake.CdnUrl(), userId: "210000000000000002");
        var refused = Payloads.MoodMusic(_fake.CdnUrl(), userId: "210000000000000003");

        using var first = await PostAsync(running.ToJsonString(), _key, host: bot);
        Assert.True(analyzing.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)); // the one worker is busy
        using var second = await PostAsync(waiting.ToJsonString(), _key, host: bot);
        using var third = await PostAsync(refused.ToJsonString(), _key, host: bot);
        release.Set();

        Assert.Equal(5, (await JsonAsync(first))["type"]!.GetValue<int>());
        Assert.Equal(5, (await JsonAsync(second))["type"]!.GetValue<int>());
        var busy = await JsonAsync(third);
        Assert.Equal(4, busy["type"]!.GetValue<int>());
        Assert.Equal(64, busy["data"]!["flags"]!.GetValue<int>());
        Assert.Contains("busy", busy["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var answered in new[] { running, waiting })
        {
            await _fake.NextRequestAsync(r => r.Is("PATCH", $"/webhooks/{FakeDiscord.ApplicationId}/{answered["token"]}/messages/@original"));
        }

        Assert.DoesNotContain(_fake.Requests, r => r.Path.Contains(refused["token"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Contains(bot.Logs.GetSnapshot(), r => r.Id.Id == 5042);
    }

    [Fact]
    public async Task JunkRequests_HundredForgedOrCutOff_OneWarningAMinuteWithTheCount()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bot = await BotHost.StartAsync(_fake, HttpMode, time);
        var ct = TestContext.Current.CancellationToken;
        var body = Payloads.Ping().ToJsonString();

        async Task SendJunkAsync()
        {
            for (var i = 0; i < 97; i++)
            {
                using var forged = await PostAsync(body, _key, signatureOverride: new string('a', 128), host: bot);
                Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            }

            for (var i = 0; i < 3; i++)
            {
                // Declares 1000 bytes, sends 20, hangs up: the body can never be read.
                using var socket = new System.Net.Sockets.TcpClient();
                await socket.ConnectAsync(bot.Url.Host, bot.Url.Port, ct);
                var head = $"POST /interactions HTTP/1.1\r\nHost: {bot.Url.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"type\":1,\"id\":\"12";
                await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head), ct);
            }
        }

        int Rejected() => bot.Logs.GetSnapshot().Count(r => r.Id.Id == 5040);

        // Start-up's command registration done first: a REST call still in flight would time out when the clock jumps.
        await WaitUntilAsync(() => bot.Logs.GetSnapshot().Any(r => r.Id.Id == 5003));
        IReadOnlyList<Microsoft.Extensions.Logging.Testing.FakeLogRecord> Summaries() => bot.Logs.GetSnapshot().Where(r => r.Id.Id == 5041).ToList();

        await SendJunkAsync();
        await WaitUntilAsync(() => Rejected() == 100);
        Assert.Empty(Summaries());
        time.Advance(TimeSpan.FromMinutes(1));
        var first = Assert.Single(Summaries());
        Assert.Equal("100", first.StructuredState!.Single(kv => kv.Key == "Count").Value);
        Assert.Contains("bad signature: 97", first.Message, StringComparison.Ordinal);

        await SendJunkAsync();
        await WaitUntilAsync(() => Rejected() == 200);
        Assert.Single(Summaries());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, Summaries().Count);
        Assert.Equal("100", Summaries()[1].StructuredState!.Single(kv => kv.Key == "Count").Value);
        // Nothing else at warning or above: no per-request warning, no stack trace from a cut-off body.
        Assert.DoesNotContain(bot.Logs.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && r.Id.Id != 5041);
    }

    [Fact]
    public async Task Interaction_GatewayModeHost_EndpointIsNotExposed()
    {
        await using var gatewayBot = await BotHost.StartAsync(_fake);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gatewayBot.Url, "/interactions"))
        {
            Content = new StringContent(Payloads.Ping().ToJsonString(), Encoding.UTF8, "application/json"),
        };

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private void HttpMode(Dictionary<string, string?> c)
    {
        c["MoodBot:Discord:Mode"] = "Http";
        c["MoodBot:Discord:PublicKey"] = Convert.ToHexStringLower(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    private string RawRequest(string body, Uri url)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(_key, Encoding.UTF8.GetBytes(timestamp + body)));
        return $"POST /interactions HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Type: application/json\r\n" +
               $"X-Signature-Ed25519: {signature}\r\nX-Signature-Timestamp: {timestamp}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
    }

    private static async Task<JsonNode> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private async Task<HttpResponseMessage> PostAsync(string body, Key? key, DateTimeOffset? at = null, string? sendBody = null,
        string? signatureOverride = null, BotHost? host = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri((host ?? _bot).Url, "/interactions"))
        {
            Content = new StringContent(sendBody ?? body, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            var signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp + body));
            request.Headers.Add("X-Signature-Ed25519", signatureOverride ?? Convert.ToHexStringLower(signature));
            request.Headers.Add("X-Signature-Timestamp", timestamp);
        }

        return await _client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Slow work whose plan waits for the test; its answer is an edit of @original.</summary>
    private sealed class HeldPlanHandler(TaskCompletionSource entered, TaskCompletionSource release) : IDeferrableInteractionHandler
    {
        public const string Name = "held";
        public const string Answer = "finished after the client left";

        public bool CanHandle(Interaction interaction) => interaction.Data?.Name == Name;

        public async ValueTask<ResponseState> PlanDeferralAsync(Interaction interaction, CancellationToken cancellationToken)
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
            return ResponseState.DeferredPublic;
        }

        public async Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
        {
            await context.DeferAsync(ephemeral: false, cancellationToken);
            await context.EditOriginalAsync(new MessagePayload { Content = Answer }, null, cancellationToken);
        }
    }

    /// <summary>A handler that takes longer than Discord's 3 s before its first answer.</summary>
    private sealed class SlowHandler : IInteractionHandler
    {
        public bool CanHandle(Interaction interaction) => interaction.Data?.Name == "slow";

        public async Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            await context.ReplyAsync(new MessagePayload { Content = "done at last" }, ephemeral: false, cancellationToken);
        }
    }
}
