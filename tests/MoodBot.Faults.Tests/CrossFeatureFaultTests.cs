using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord;
using MoodBot.Discord.Tests.Fakes;
using MoodBot.Spotify.Tests;

namespace MoodBot.Faults.Tests;

/// <summary>
/// Faults behind the bot — Spotify, PostgreSQL, a CDN serving garbage — with the real composition. The bar: every
/// member gets an answer or a clear private message, nothing twice, no crash, and the bot recovers by itself.
/// Asserts are about what was answered, never about how fast; recovery figures go to the test output.
/// </summary>
public sealed partial class CrossFeatureFaultTests : IAsyncLifetime
{
    private FakeDiscord _fake = null!;
    private InteractionLedger _ledger = null!;
    private int _next;

    public async ValueTask InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        _ledger = new InteractionLedger(_fake);
    }

    public async ValueTask DisposeAsync()
    {
        await _fake.DisposeAsync();
        _fake.AssertConforming();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Theory]
    [InlineData("429")]
    [InlineData("5xx")]
    [InlineData("timeout")]
    public async Task Spotify_FailsWhileSavingThePlaylist_ReplyFromLocalCatalogPlusAClearPrivateNote(string fault)
    {
        await using var spotify = await FakeSpotify.StartAsync();
        // An app created after November 2024, as every new one is: no /recommendations, no /audio-features, so the tracks
        // come from the catalog (a grandfathered app would get Spotify's own list first; see MusicSourceTests).
        spotify.RecommendationsStatus = HttpStatusCode.NotFound;
        spotify.AudioFeaturesStatus = HttpStatusCode.Forbidden;
        await using var bot = await RealBot.StartAsync(_fake, spotify);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        await bot.LinkSpotifyAsync(Payloads.UserId);
        switch (fault)
        {
            case "429":
                spotify.Fail("POST", "/v1/me/playlists", HttpStatusCode.TooManyRequests, times: 10, retryAfter: "120");
                break;
            case "5xx":
                spotify.Fail("POST", "/v1/me/playlists", HttpStatusCode.ServiceUnavailable, times: 10);
                break;
            default:
                spotify.Fail("POST", "/v1/me/playlists", HttpStatusCode.OK, times: 10, delay: TimeSpan.FromSeconds(5));
                break;
        }

        var interaction = PhotoInteraction("bbt1.jpg", Payloads.UserId, extra: [("playlist", 5, JsonValue.Create(true))]);
        var started = Stopwatch.GetTimestamp();
        await Send(gateway, interaction);
        var edit = await _fake.NextRequestAsync(r => r.Is("PATCH", Original(interaction)), TimeSpan.FromSeconds(30));
        var note = await _fake.NextRequestAsync(r => r.Is("POST", Webhook(interaction)), TimeSpan.FromSeconds(30));
        var noteAfter = Stopwatch.GetElapsedTime(started);

        // The tracks come from the local catalog: every id shown is in it, and Spotify was never asked for tracks.
        var ids = TrackIds(edit.Json!.Value.GetProperty("embeds")[0].GetProperty("description").GetString()!);
        Assert.NotEmpty(ids);
        var known = await bot.Services.GetRequiredService<ITrackCatalog>().GetAsync(ids, Ct);
        Assert.Equal(ids.Count, known.Count);
        Assert.Equal(0, spotify.Count("GET", "/v1/search"));
        Assert.Empty(spotify.Playlists);
        // The note is private, says what failed, and the public reply stays.
        var text = note.Json!.Value.GetProperty("content").GetString()!;
        Report($"Spotify {fault} during the save: reply with {ids.Count} catalog tracks, then after {noteAfter.TotalMilliseconds:0} ms the note \"{text}\"");
        Assert.Equal(64, note.Json.Value.GetProperty("flags").GetInt32());
        Assert.Contains("Spotify", text, StringComparison.Ordinal);
        Assert.DoesNotContain(InteractionResultHandlerGeneric, text, StringComparison.Ordinal);
        Assert.DoesNotContain(_fake.Requests, r => r.Is("DELETE", Original(interaction)));
        // An unsafe POST is sent once; only a 429 (nothing happened) may be repeated, and a 120 s one is not waited for.
        Assert.Equal(1, spotify.Count("POST", "/v1/me/playlists"));
        spotify.AssertNoViolations();
    }

    [Fact]
    public async Task Postgres_RestartedMidRun_CallsFailCleanlyThenRecoverWithinSeconds()
    {
        await using var pg = await PrivatePostgres.StartAsync();
        await using var bot = await RealBot.StartAsync(_fake, postgres: pg.ConnectionString);
        var (gateway, _) = await _fake.AcceptSessionAsync();

        var before = await BurstAsync(gateway, 4);
        Assert.All(before, o => Assert.True(o.Answered && !o.Duplicated, InteractionLedger.Summary(before)));

        var down = Stopwatch.GetTimestamp();
        await pg.StopServerAsync();
        var during = await BurstAsync(gateway, 4);
        var duringTook = Stopwatch.GetElapsedTime(down);
        var status = bot.Services.GetRequiredService<DiscordStatus>();
        Assert.True(status.IsReady, "the bot must stay connected while its database is down");

        await pg.StartServerAsync();
        var up = Stopwatch.GetTimestamp();
        TimeSpan? firstSuccess = null;
        var attempts = 0;
        while (Stopwatch.GetElapsedTime(up) < TimeSpan.FromSeconds(30))
        {
            attempts++;
            var probe = await BurstAsync(gateway, 1);
            if (probe[0].Answered && TracksShown(probe[0]) > 0)
            {
                firstSuccess = Stopwatch.GetElapsedTime(up);
                break;
            }

            await Task.Delay(100, Ct);
        }

        var after = await BurstAsync(gateway, 4);

        var all = _ledger.Outcomes();
        Report($"PostgreSQL stopped: {InteractionLedger.Summary(during)}, {during.Count(o => TracksShown(o) == 0)} of them with the " +
               $"no-tracks note (all settled {duringTook.TotalMilliseconds:0} ms after the stop); " +
               $"restarted: first answer {firstSuccess?.TotalMilliseconds:0} ms after the server was back ({attempts} tries); " +
               $"then {InteractionLedger.Summary(after)}; overall {InteractionLedger.Summary(all)}");
        // While it is down: each member is answered — the mood, the chart and a note that tracks are unavailable right now
        // (the photo and the index need no database; without Spotify the genre fallback has no tracks) — or told plainly.
        Assert.All(before, o => Assert.True(TracksShown(o) > 0));
        Assert.All(during, o => Assert.True((o.Answered || o.ClearError) && !o.Duplicated, InteractionLedger.Summary(during)));
        Assert.All(during.Where(o => o.Answered), o => Assert.Contains("music source isn't answering right now", Description(o), StringComparison.Ordinal));
        Assert.NotNull(firstSuccess);
        Assert.All(after, o => Assert.True(o.Answered && !o.Duplicated && TracksShown(o) > 0, InteractionLedger.Summary(after)));
        Assert.DoesNotContain(all, o => o.Duplicated || (!o.Answered && !o.ClearError));
    }

    [Theory]
    [InlineData("random-bytes")]
    [InlineData("html-as-jpeg")]
    [InlineData("empty")]
    [InlineData("truncated")]
    [InlineData("png-header-only")]
    public async Task Cdn_ServesGarbageAsAPhoto_RealDecoderAnswersClearlyAndTheBotCarriesOn(string kind)
    {
        await using var bot = await RealBot.StartAsync(_fake);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var real = await File.ReadAllBytesAsync(SharedData.Path("photos/bbt2.jpg"), Ct);
        var garbage = kind switch
        {
            "random-bytes" => RandomBytes(50_000),
            "html-as-jpeg" => "<html><body>502 Bad Gateway</body></html>"u8.ToArray(),
            "empty" => [],
            "truncated" => real[..(real.Length / 3)],
            _ => [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13],
        };
        _fake.CdnFiles["garbage.jpg"] = (garbage, "image/jpeg");
        var broken = PhotoInteraction("garbage.jpg", Payloads.UserId);
        await Send(gateway, broken);
        var outcome = (await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct)).Single();

        // A truncated JPEG may still decode (the missing rows come out grey): then an answer is as good as a refusal.
        Report($"CDN garbage ({kind}): {InteractionLedger.Summary([outcome])}");
        Assert.True(kind == "truncated" ? outcome.Answered || outcome.ClearError : outcome.ClearError, InteractionLedger.Summary([outcome]));
        Assert.False(outcome.Duplicated);
        if (outcome.ClearError)
        {
            Assert.DoesNotContain(InteractionResultHandlerGeneric, outcome.ErrorText, StringComparison.Ordinal);
        }

        // Nothing crashed: the next member with a real photo is answered.
        await Send(gateway, PhotoInteraction("bbt2.jpg", Payloads.OtherUserId));
        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(2, outcomes.Count);
        Assert.Single(outcomes, o => o.Answered && o.Id != outcome.Id);
    }

    /// <summary>The catch-all apology: a fault we expect must get a message that says what happened instead.</summary>
    private const string InteractionResultHandlerGeneric = "Something went wrong on my side";

    /// <summary>The embed description of the interaction's answer (the edit of its original response).</summary>
    private string Description(InteractionOutcome o) =>
        _fake.Answers.Where(a => a.Status == 200 && a.Request.Is("PATCH", $"/webhooks/{FakeDiscord.ApplicationId}/itoken-{o.Id}/messages/@original"))
            .Select(a => a.Request.Json?.GetProperty("embeds")[0].GetProperty("description").GetString()).FirstOrDefault() ?? string.Empty;

    private int TracksShown(InteractionOutcome o) => TrackIds(Description(o)).Count;

    private async Task<IReadOnlyList<InteractionOutcome>> BurstAsync(FakeGatewayConnection gateway, int count)
    {
        var sent = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var member = (300_000_000_000_003_000L + Interlocked.Increment(ref _next)).ToString(CultureInfo.InvariantCulture);
            var interaction = PhotoInteraction(i % 2 == 0 ? "bbt2.jpg" : "bbt4.jpg", member);
            sent.Add(interaction["id"]!.GetValue<string>());
            await Send(gateway, interaction);
        }

        var outcomes = await _ledger.SettledAsync(TimeSpan.FromSeconds(60), Ct);
        return outcomes.Where(o => sent.Contains(o.Id)).ToList();
    }

    private JsonObject PhotoInteraction(string name, string userId, params (string Name, int Type, JsonNode Value)[] extra)
    {
        var (bytes, type) = _fake.CdnFiles.GetOrAdd(name, n => (File.ReadAllBytes(SharedData.Path("photos/" + n)), "image/jpeg"));
        return Payloads.MoodMusic(_fake.CdnUrl(name), size: Math.Max(1, bytes.Length), contentType: type, userId: userId, extra: extra);
    }

    private async Task Send(FakeGatewayConnection gateway, JsonObject interaction)
    {
        _ledger.Sent(interaction);
        await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
    }

    private static byte[] RandomBytes(int n)
    {
        var bytes = new byte[n];
        new Random(8).NextBytes(bytes);
        return bytes;
    }

    private static List<string> TrackIds(string description) => TrackUrl().Matches(description).Select(m => m.Groups[1].Value).ToList();

    private static string Original(JsonObject i) => $"/webhooks/{FakeDiscord.ApplicationId}/{i["token"]}/messages/@original";

    private static string Webhook(JsonObject i) => $"/webhooks/{FakeDiscord.ApplicationId}/{i["token"]}";

    [GeneratedRegex(@"open\.spotify\.com/track/(\w+)")]
    private static partial Regex TrackUrl();
}
