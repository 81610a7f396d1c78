using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Discord.Tests.Fakes;
using NSec.Cryptography;

namespace MoodBot.Discord.Tests;

/// <summary>Scale-out inside the Discord feature: shard ranges, and interactions answered once however often they arrive.</summary>
public sealed class ShardingAndDedupTests : IAsyncLifetime
{
    private static readonly FastTime Time = new(10);
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly HttpClient _client = new();
    private FakeDiscord _fake = null!;
    private BotHost? _bot;

    public async ValueTask InitializeAsync() => _fake = await FakeDiscord.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_bot is not null)
        {
            await _bot.DisposeAsync();
        }

        await _fake.DisposeAsync();
        _client.Dispose();
        _key.Dispose();
        _fake.AssertConforming();
    }

    [Fact]
    public async Task Start_ShardIdsRange_IdentifiesExactlyThoseShards()
    {
        _fake.Shards = 4;
        _bot = await BotHost.StartAsync(_fake, c =>
        {
            c["MoodBot:Discord:ShardIds"] = "1-2";
            c["MoodBot:Discord:ShardCount"] = "4";
        }, Time);

        var sessions = new[] { await _fake.AcceptSessionAsync("s-a"), await _fake.AcceptSessionAsync("s-b") };

        Assert.Equal(["[1,4]", "[2,4]"], sessions.Select(s => s.Identify["d"]!["shard"]!.ToJsonString()).Order(StringComparer.Ordinal));
        Assert.True(await _fake.NoConnectionWithinAsync(TimeSpan.FromMilliseconds(700)));
    }

    [Theory]
    [InlineData("0,2,5-6,2", 8, "0,2,5,6")]
    [InlineData(" 3 - 4 ", 8, "3,4")]
    [InlineData("7", 8, "7")]
    public void ConfiguredShardIds_ValidText_SortedDistinctIds(string text, int count, string expected)
    {
        var options = new DiscordOptions { ShardIds = text, ShardCount = count };

        Assert.True(new DiscordOptionsRulesValidator().Validate(null, options).Succeeded);
        Assert.Equal(expected, string.Join(',', options.ConfiguredShardIds()!));
    }

    [Theory]
    [InlineData("4-2", 8, null, "backwards")]
    [InlineData("a-b", 8, null, "not a shard id")]
    [InlineData("1--2", 8, null, "not a shard id")]
    [InlineData("0-4", 4, null, "less than ShardCount (4); 4 is not")]
    [InlineData("0-1", null, null, "together with ShardCount")]
    [InlineData("0-1", 4, 0, "alternatives")]
    public void Validate_BadShardIds_FailsNamingTheProblem(string text, int? count, int? shardId, string mentioned)
    {
        var result = new DiscordOptionsRulesValidator().Validate(null, new DiscordOptions { ShardIds = text, ShardCount = count, ShardId = shardId });

        Assert.True(result.Failed);
        Assert.Contains(mentioned, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfiguredShardIds_NothingSet_NullForAutomaticSharding() =>
        Assert.Null(new DiscordOptions().ConfiguredShardIds());

    [Fact]
    public async Task Interaction_ReplayedOnTheGateway_AnsweredOnce()
    {
        _bot = await BotHost.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var help = Payloads.Command("help");
        var sentinel = Payloads.Command("help");

        // A RESUME replays events the bot may already have handled; the same interaction arrives twice.
        await gateway.SendDispatchAsync("INTERACTION_CREATE", help);
        await gateway.SendDispatchAsync("INTERACTION_CREATE", help.DeepClone());
        await gateway.SendDispatchAsync("INTERACTION_CREATE", sentinel);
        await _fake.NextRequestAsync(r => r.Path.StartsWith($"/interactions/{sentinel["id"]}/", StringComparison.Ordinal));
        await WaitForIdleAsync();

        Assert.Single(_fake.Requests, r => r.Path.StartsWith($"/interactions/{help["id"]}/", StringComparison.Ordinal));
        Assert.Contains(_bot.Logs.GetSnapshot(), r => r.Id.Id == 5090);
    }

    [Fact]
    public async Task Interaction_PostedTwiceInHttpMode_SecondDeliveryGets409AndNoAnswer()
    {
        _bot = await BotHost.StartAsync(_fake, c =>
        {
            c["MoodBot:Discord:Mode"] = "Http";
            c["MoodBot:Discord:PublicKey"] = Convert.ToHexStringLower(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        });
        var body = Payloads.Command("help").ToJsonString();

        using var first = await PostAsync(body);
        using var second = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var answer = JsonNode.Parse(await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(4, answer["type"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(0, second.Content.Headers.ContentLength ?? 0);
    }

    [Fact]
    public async Task Interaction_ClaimedElsewhere_NotAnswered()
    {
        var claims = new ScriptedClaims(_ => Task.FromResult(false));
        _bot = await BotHost.StartAsync(_fake, services: s => s.AddSingleton<IInteractionClaims>(claims));
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var help = Payloads.Command("help");

        await gateway.SendDispatchAsync("INTERACTION_CREATE", help);
        await WaitUntilAsync(() => claims.Seen.Contains(help["id"]!.GetValue<string>()));
        await WaitForIdleAsync();

        Assert.DoesNotContain(_fake.Requests, r => r.Path.StartsWith("/interactions/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Interaction_ClaimStoreFails_AnsweredAnywayWithAWarning()
    {
        var claims = new ScriptedClaims(_ => throw new TimeoutException("database unreachable"));
        _bot = await BotHost.StartAsync(_fake, services: s => s.AddSingleton<IInteractionClaims>(claims));
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var help = Payloads.Command("help");

        await gateway.SendDispatchAsync("INTERACTION_CREATE", help);

        var callback = await _fake.NextRequestAsync(r => r.Path.StartsWith($"/interactions/{help["id"]}/", StringComparison.Ordinal));
        Assert.Equal(4, callback.Json!.Value.GetProperty("type").GetInt32());
        Assert.Contains(_bot.Logs.GetSnapshot(), r => r.Id.Id == 5091);
    }

    [Fact]
    public async Task MoodMusic_SharedCooldownStoreRefuses_RepliesWithTheTimeLeftBeforeDeferring()
    {
        var cooldowns = new RefusingCooldowns(TimeSpan.FromSeconds(12.2));
        _bot = await BotHost.StartAsync(_fake, c => c["MoodBot:Discord:CooldownSeconds"] = "30",
            services: s => s.AddSingleton<IMemberCooldowns>(cooldowns));
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var run = Payloads.MoodMusic(_fake.CdnUrl());

        await gateway.SendDispatchAsync("INTERACTION_CREATE", run);

        var callback = await _fake.NextRequestAsync(r => r.Path.StartsWith($"/interactions/{run["id"]}/", StringComparison.Ordinal));
        var data = callback.Json!.Value.GetProperty("data");
        Assert.Equal(4, callback.Json!.Value.GetProperty("type").GetInt32());
        Assert.Contains("13 s", data.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal((Payloads.UserId, TimeSpan.FromSeconds(30)), Assert.Single(cooldowns.Asked));
        Assert.Empty(_fake.CdnHits);
    }

    private async Task WaitForIdleAsync()
    {
        var dispatcher = _bot!.Services.GetRequiredService<Interactions.InteractionDispatcher>();
        await WaitUntilAsync(() => dispatcher.InFlight == 0);
        await Task.Delay(200, TestContext.Current.CancellationToken);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        Assert.True(condition());
    }

    private async Task<HttpResponseMessage> PostAsync(string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_bot!.Url, "/interactions"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(_key, Encoding.UTF8.GetBytes(timestamp + body))));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        return await _client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private sealed class ScriptedClaims(Func<string, Task<bool>> answer) : IInteractionClaims
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Seen { get; } = [];

        public Task<bool> TryClaimAsync(string interactionId, CancellationToken cancellationToken)
        {
            Seen.Add(interactionId);
            return answer(interactionId);
        }
    }

    private sealed class RefusingCooldowns(TimeSpan left) : IMemberCooldowns
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string Member, TimeSpan Cooldown)> Asked { get; } = new();

        public Task<CooldownDecision> TryStartAsync(string memberId, TimeSpan cooldown, CancellationToken cancellationToken)
        {
            Asked.Enqueue((memberId, cooldown));
            return Task.FromResult(CooldownDecision.Wait(left));
        }

        // Never reached: a refused cooldown stops the command before any analysis could be busy.
        public Task ReleaseAsync(string memberId, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing to release");
    }
}
