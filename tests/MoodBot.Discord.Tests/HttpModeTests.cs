using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
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
