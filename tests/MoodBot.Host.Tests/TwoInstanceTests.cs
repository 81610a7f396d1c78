using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord;
using MoodBot.Discord.Tests.Fakes;
using MoodBot.Spotify.Tests;
using MoodBot.Tests;
using NSec.Cryptography;

namespace MoodBot.Host.Tests;

/// <summary>
/// Scale-out, end to end: two bots exactly as <see cref="MoodBotHost.BuildBot"/> composes them, sharing one fresh
/// PostgreSQL database and one spec-checked fake Discord (and fake Spotify). Nothing is answered twice, cooldowns and
/// Spotify links made on one instance hold on the other.
/// </summary>
public sealed class TwoInstanceTests : IAsyncLifetime
{
    private const int ShardCount = 4;
    private static readonly Uri RedirectUri = new("http://127.0.0.1:43119/spotify/callback");

    // One key for both instances: each must decrypt what the other stored (OAuth verifiers, refresh tokens).
    private readonly string _encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly List<WebApplication> _instances = [];
    private readonly InteractionCounts _counts = new();
    private FreshPostgresDatabase? _db;
    private FakeDiscord _discord = null!;
    private FakeSpotify? _spotify;

    public async ValueTask InitializeAsync()
    {
        _db = await FreshPostgresDatabase.CreateAsync();
        _discord = await FakeDiscord.StartAsync();
        // Each shard its own identify bucket, so neither instance waits 5 s between its two Identifies.
        _discord.MaxConcurrency = ShardCount;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _instances)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _counts.Dispose();
        if (_spotify is not null)
        {
            await _spotify.DisposeAsync();
            _spotify.AssertNoViolations();
        }

        // Null when InitializeAsync skipped the test (no PostgreSQL configured).
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }

        if (_discord is not null)
        {
            await _discord.DisposeAsync();
            _discord.AssertConforming();
        }
    }

    [Fact]
    public async Task Gateway_InstancesOwningShardRanges_EveryInteractionAnsweredExactlyOnce()
    {
        var (a, b, shards) = await StartGatewayPairAsync();

        // One interaction per shard, each on its own shard's connection: two land on A, two on B.
        var perShard = Enumerable.Range(0, ShardCount).Select(s => (Shard: s, Interaction: Command("help", s))).ToList();
        foreach (var (shard, interaction) in perShard)
        {
            await shards[shard].SendDispatchAsync("INTERACTION_CREATE", interaction);
        }

        // The same interaction reaching both instances (a RESUME replay on one, a misroute to the other): one answer.
        var twice = Command("help", 0);
        await shards[0].SendDispatchAsync("INTERACTION_CREATE", twice);
        await shards[2].SendDispatchAsync("INTERACTION_CREATE", twice.DeepClone());

        foreach (var interaction in perShard.Select(p => p.Interaction).Append(twice))
        {
            await RequestAsync(r => r.Path.StartsWith(CallbackPrefix(interaction), StringComparison.Ordinal));
        }

        await WaitUntilAsync(() => Task.FromResult(_counts.Of(a, "duplicate") + _counts.Of(b, "duplicate") == 1));
        foreach (var interaction in perShard.Select(p => p.Interaction).Append(twice))
        {
            Assert.Single(_discord.Requests, r => r.Path.StartsWith(CallbackPrefix(interaction), StringComparison.Ordinal));
        }

        // Each instance answered its own two shards' interactions; the doubly delivered one went to whichever claimed it first.
        // The "ok" count is taken after the callback is sent, so wait for it rather than read it at once (raced in CI).
        await WaitUntilAsync(() => Task.FromResult(_counts.Of(a, "ok") + _counts.Of(b, "ok") == perShard.Count + 1));
        var (answeredA, answeredB) = (_counts.Of(a, "ok"), _counts.Of(b, "ok"));
        Assert.Equal(perShard.Count + 1, answeredA + answeredB);
        Assert.InRange(answeredA, 2, 3);
        Assert.InRange(answeredB, 2, 3);
    }

    [Fact]
    public async Task Gateway_CooldownStartedOnOneInstance_HoldsOnTheOther()
    {
        var (_, _, shards) = await StartGatewayPairAsync(c => c["MoodBot:Discord:CooldownSeconds"] = "60");
        var onA = Payloads.MoodMusic(_discord.CdnUrl());
        onA["guild_id"] = Guild(0);
        var onB = Payloads.MoodMusic(_discord.CdnUrl());
        onB["guild_id"] = Guild(2);

        await shards[0].SendDispatchAsync("INTERACTION_CREATE", onA);
        var first = await RequestAsync(r => r.Path.StartsWith(CallbackPrefix(onA), StringComparison.Ordinal));
        await shards[2].SendDispatchAsync("INTERACTION_CREATE", onB);
        var second = await RequestAsync(r => r.Path.StartsWith(CallbackPrefix(onB), StringComparison.Ordinal));

        Assert.Equal(5, first.Json!.Value.GetProperty("type").GetInt32()); // A started the run: deferred
        Assert.Equal(4, second.Json!.Value.GetProperty("type").GetInt32()); // B refused at once
        var refusal = second.Json!.Value.GetProperty("data");
        Assert.Contains("Easy there", refusal.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(64, refusal.GetProperty("flags").GetInt32() & 64); // ephemeral
    }

    [Fact]
    public async Task StartingTogether_EmptyDatabase_ShippedCatalogSeededByExactlyOne()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var instances = await Task.WhenAll(StartInstanceAsync(c => Http(c, publicKey)), StartInstanceAsync(c => Http(c, publicKey)));
        var seeders = instances.Select(i => i.Services.GetRequiredService<MoodBot.Music.CatalogSeeder>()).ToList();

        // Up to a minute: 28k rows in one PostgreSQL transaction on a shared 2-core machine (WaitUntilAsync gives 10 s).
        for (var i = 0; i < 600 && seeders.Any(s => s.Status.State is MoodBot.Music.CatalogSeedState.Pending or MoodBot.Music.CatalogSeedState.Seeding); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.All(seeders, s => Assert.Equal(MoodBot.Music.CatalogSeedState.Ready, s.Status.State));
        var wrote = Assert.Single(seeders, s => s.Status.Written > 0);
        Assert.Equal(28_356, wrote.Status.Written);
        Assert.Single(seeders, s => s.Status is { Written: 0, Detail: "catalog has 28356 tracks" });
        Assert.Equal(28_356, await instances[0].Services.GetRequiredService<ITrackCatalog>().CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Http_SameInteractionPostedToBothInstances_AnsweredOnce()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        _spotify = await FakeSpotify.StartAsync();
        var instances = await Task.WhenAll(
            StartInstanceAsync(c => { Http(c, publicKey); Spotify(c); }),
            StartInstanceAsync(c => { Http(c, publicKey); Spotify(c); }));
        using var http = new HttpClient();

        // /unlink defers in the HTTP answer, then edits @original over REST: both halves must happen exactly once.
        var interactions = Enumerable.Range(0, 6).Select(_ => Payloads.Command("unlink")).ToList();
        var statuses = new List<(HttpStatusCode A, HttpStatusCode B)>();
        foreach (var interaction in interactions)
        {
            var body = interaction.ToJsonString();
            var answers = await Task.WhenAll(instances.Select(i => PostSignedAsync(http, BaseUrl(i), body, key)));
            statuses.Add((answers[0], answers[1]));
        }

        foreach (var interaction in interactions)
        {
            await RequestAsync(r => r.Is("PATCH", Original(interaction)));
        }

        await WaitUntilAsync(() => Task.FromResult(_counts.Of(instances[0], "duplicate") + _counts.Of(instances[1], "duplicate") == interactions.Count));
        Assert.All(statuses, s => Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], new[] { s.A, s.B }.Order()));
        Assert.All(interactions, i => Assert.Single(_discord.Requests, r => r.Is("PATCH", Original(i))));
        Assert.Equal(interactions.Count, _counts.Of(instances[0], "ok") + _counts.Of(instances[1], "ok"));
    }

    [Fact]
    public async Task Spotify_LinkStartedOnOneInstanceFinishedOnTheOther_VisibleToBoth()
    {
        _spotify = await FakeSpotify.StartAsync();
        var (a, b, shards) = await StartGatewayPairAsync(Spotify);
        var ct = TestContext.Current.CancellationToken;

        // The member runs /link in a guild served by A; A stores the OAuth state (and PKCE verifier) in the shared database.
        var link = Command("link", 0);
        await shards[0].SendDispatchAsync("INTERACTION_CREATE", link);
        var offer = await RequestAsync(r => r.Is("PATCH", Original(link)));
        var authorize = new Uri(offer.Json!.Value.GetProperty("components")[0].GetProperty("components")[0].GetProperty("url").GetString()!);

        // Spotify sends the browser back through the load balancer, which happens to pick B: B redeems A's state.
        var redirect = await FakeSpotify.AuthorizeAsync(authorize);
        using var http = new HttpClient();
        using (var callback = await http.GetAsync(new Uri(BaseUrl(b), redirect.PathAndQuery), ct))
        {
            Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        }

        Assert.True(await a.Services.GetRequiredService<ISpotifyLinking>().IsLinkedAsync(Payloads.UserId, ct));
        Assert.True(await b.Services.GetRequiredService<ISpotifyLinking>().IsLinkedAsync(Payloads.UserId, ct));

        // Through Discord as well: A says the account is already linked; B unlinks it, and A sees that too.
        var again = Command("link", 1);
        await shards[1].SendDispatchAsync("INTERACTION_CREATE", again);
        var secondOffer = await RequestAsync(r => r.Is("PATCH", Original(again)));
        Assert.Contains("already linked", secondOffer.Json!.Value.GetProperty("content").GetString(), StringComparison.Ordinal);

        var unlink = Command("unlink", 3);
        await shards[3].SendDispatchAsync("INTERACTION_CREATE", unlink);
        var unlinked = await RequestAsync(r => r.Is("PATCH", Original(unlink)));
        Assert.Contains("unlinked", unlinked.Json!.Value.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.False(await a.Services.GetRequiredService<ISpotifyLinking>().IsLinkedAsync(Payloads.UserId, ct));
    }

    /// <summary>A owns shards 0-1 and B 2-3 of four; both start at once on the fresh database (so both migrate it at once).</summary>
    private async Task<(WebApplication A, WebApplication B, Dictionary<int, FakeGatewayConnection> Shards)> StartGatewayPairAsync(
        Action<Dictionary<string, string?>>? configure = null)
    {
        var started = await Task.WhenAll(
            StartInstanceAsync(c => { Range(c, "0-1"); configure?.Invoke(c); }),
            StartInstanceAsync(c => { Range(c, "2-3"); configure?.Invoke(c); }));
        var sessions = await Task.WhenAll(Enumerable.Range(0, ShardCount).Select(i => _discord.AcceptSessionAsync($"session-{i}")));
        var shards = sessions.ToDictionary(s => s.Identify["d"]!["shard"]![0]!.GetValue<int>(), s => s.Connection);
        var (a, b) = (started[0], started[1]);
        await WaitUntilAsync(() => Task.FromResult(Status(a).IsReady && Status(b).IsReady));

        Assert.Equal([0, 1, 2, 3], shards.Keys.Order());
        Assert.Equal([0, 1], Status(a).Shards.Keys.Order());
        Assert.Equal([2, 3], Status(b).Shards.Keys.Order());
        Assert.All(sessions, s => Assert.Equal(ShardCount, s.Identify["d"]!["shard"]![1]!.GetValue<int>()));
        return (a, b, shards);
    }

    private async Task<WebApplication> StartInstanceAsync(Action<Dictionary<string, string?>> configure)
    {
        var config = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Polly"] = "None",
            ["MoodBot:Discord:Token"] = FakeDiscord.Token,
            ["MoodBot:Discord:ApplicationId"] = FakeDiscord.ApplicationId,
            ["MoodBot:Discord:ApiBaseUrl"] = _discord.ApiBase.ToString(),
            ["MoodBot:Discord:CdnHosts:0"] = _discord.Origin,
            ["MoodBot:Storage:Provider"] = "Postgres",
            ["MoodBot:Storage:ConnectionString"] = _db!.ConnectionString,
        };
        configure(config);
        var app = MoodBotHost.BuildBot(config);
        lock (_instances)
        {
            _instances.Add(app);
        }

        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static void Range(Dictionary<string, string?> c, string shardIds)
    {
        c["MoodBot:Discord:ShardIds"] = shardIds;
        c["MoodBot:Discord:ShardCount"] = ShardCount.ToString(CultureInfo.InvariantCulture);
    }

    private static void Http(Dictionary<string, string?> c, string publicKey)
    {
        c["MoodBot:Discord:Mode"] = "Http";
        c["MoodBot:Discord:PublicKey"] = publicKey;
    }

    private void Spotify(Dictionary<string, string?> c)
    {
        c["MoodBot:Spotify:ClientId"] = FakeSpotify.ClientId;
        c["MoodBot:Spotify:ClientSecret"] = FakeSpotify.ClientSecret;
        c["MoodBot:Spotify:RedirectUri"] = RedirectUri.ToString();
        c["MoodBot:Spotify:EncryptionKey"] = _encryptionKey;
        c["MoodBot:Spotify:ApiBaseUrl"] = _spotify!.ApiBaseUrl.ToString();
        c["MoodBot:Spotify:AccountsBaseUrl"] = _spotify.BaseUrl.ToString();
    }

    /// <summary>A guild id Discord would route to <paramref name="shard"/>: (guild_id &gt;&gt; 22) % shard_count.</summary>
    private static string Guild(int shard) => (((1_000L * ShardCount) + shard) << 22).ToString(CultureInfo.InvariantCulture);

    private static JsonObject Command(string name, int shard)
    {
        var interaction = Payloads.Command(name);
        interaction["guild_id"] = Guild(shard);
        return interaction;
    }

    private static string CallbackPrefix(JsonObject interaction) => $"/interactions/{interaction["id"]}/";

    private static string Original(JsonObject interaction) => $"/webhooks/{FakeDiscord.ApplicationId}/{interaction["token"]}/messages/@original";

    private static DiscordStatus Status(WebApplication app) => app.Services.GetRequiredService<DiscordStatus>();

    private static Uri BaseUrl(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");

    private static async Task<HttpStatusCode> PostSignedAsync(HttpClient http, Uri instance, string body, Key key)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(instance, "interactions"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp + body))));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    /// <summary>The first request the fake recorded that matches, waiting for it if need be (in any arrival order).</summary>
    private async Task<RecordedRequest> RequestAsync(Func<RecordedRequest, bool> match)
    {
        await WaitUntilAsync(() => Task.FromResult(_discord.Requests.Any(match)));
        return _discord.Requests.First(match);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(await condition(), "condition not met within 10 s");
    }
}

/// <summary>
/// The <c>moodbot.interactions</c> counter per bot instance. Both instances live in this one process, where a Prometheus
/// scrape of either would sum both; the meter's scope (each host's own IMeterFactory) tells them apart.
/// </summary>
internal sealed class InteractionCounts : IDisposable
{
    private readonly ConcurrentDictionary<(object? Scope, string Outcome), long> _counts = new();
    private readonly MeterListener _listener = new();

    public InteractionCounts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MoodBotMetrics.MeterName && instrument.Name == "moodbot.interactions")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcome = tag.Value as string;
                }
            }

            _counts.AddOrUpdate((instrument.Meter.Scope, outcome ?? "?"), value, (_, n) => n + value);
        });
        _listener.Start();
    }

    public long Of(WebApplication instance, string outcome) =>
        _counts.GetValueOrDefault((instance.Services.GetRequiredService<IMeterFactory>(), outcome));

    public void Dispose() => _listener.Dispose();
}
