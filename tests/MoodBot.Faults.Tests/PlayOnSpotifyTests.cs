using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Tests.Fakes;
using MoodBot.Spotify.Tests;

namespace MoodBot.Faults.Tests;

/// <summary>
/// "▶ Play on Spotify" end to end: a photo through the real pipeline, the button pressed in the fake Discord, the
/// spec-checked fake Spotify asked to play — and each way Spotify says no comes back as one private sentence.
/// </summary>
public sealed partial class PlayOnSpotifyTests : IAsyncLifetime
{
    private FakeDiscord _discord = null!;
    private FakeSpotify _spotify = null!;
    private RealBot _bot = null!;
    private FakeGatewayConnection _gateway = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _discord = await FakeDiscord.StartAsync();
        _spotify = await FakeSpotify.StartAsync();
        // A post-2024 app: tracks come from the catalog, as for every new bot.
        _spotify.RecommendationsStatus = HttpStatusCode.NotFound;
        _spotify.AudioFeaturesStatus = HttpStatusCode.Forbidden;
        _bot = await RealBot.StartAsync(_discord, _spotify);
        (_gateway, _) = await _discord.AcceptSessionAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _spotify.DisposeAsync();
        await _discord.DisposeAsync();
        _discord.AssertConforming();
        _spotify.AssertNoViolations();
    }

    [Fact]
    public async Task PlayButton_LinkedMember_StartsTheReplysTracksOnTheirDevice()
    {
        await _bot.LinkSpotifyAsync(Payloads.UserId);
        var (embed, playId) = await PhotoReplyAsync();

        var (callback, edit) = await PressAsync(playId, embed);

        Assert.Equal(5, callback.GetProperty("type").GetInt32());
        Assert.Equal(64, callback.GetProperty("data").GetProperty("flags").GetInt32());
        var (_, uris) = Assert.Single(_spotify.Played);
        Assert.Equal(TrackIds(embed).Select(id => "spotify:track:" + id), uris);
        Assert.InRange(uris.Count, 5, 20);
        Assert.Contains($"Playing {uris.Count} tracks", Content(edit), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlayButton_EachRefusal_GetsItsOwnPrivateSentence()
    {
        await _bot.LinkSpotifyAsync(Payloads.UserId);
        var (embed, playId) = await PhotoReplyAsync();
        var seen = new List<string>();

        _spotify.ActiveDevice = false;
        seen.Add(await RefusalAsync(playId, embed, "no active device"));
        _spotify.ActiveDevice = true;

        _spotify.Premium = false;
        seen.Add(await RefusalAsync(playId, embed, "Premium"));
        _spotify.Premium = true;

        _spotify.PlaylistsForbidden = true;
        seen.Add(await RefusalAsync(playId, embed, "development mode"));
        _spotify.PlaylistsForbidden = false;

        Assert.Empty(_spotify.Played);
        Assert.Equal(3, _spotify.Count("PUT", "/v1/me/player/play"));
        Assert.Equal(3, seen.Distinct().Count());
    }

    [Fact]
    public async Task PlayButton_LinkMadeBeforeThePlaybackScope_OffersARelinkOnlyOnPress()
    {
        await _bot.LinkSpotifyAsync(Payloads.UserId);
        // A link stored by an older MoodBot: no scopes recorded, and it still saves playlists.
        var store = _bot.Services.GetRequiredService<ISpotifyLinkStore>();
        var account = await store.GetAccountAsync(Payloads.UserId, Ct);
        await store.SaveAccountAsync(account! with { Scopes = null }, Ct);
        var (embed, playId) = await PhotoReplyAsync();

        var (_, edit) = await PressAsync(playId, embed);

        Assert.Contains("one more Spotify permission", Content(edit), StringComparison.Ordinal);
        var button = edit.GetProperty("components")[0].GetProperty("components")[0];
        Assert.Equal(5, button.GetProperty("style").GetInt32());
        var url = new Uri(button.GetProperty("url").GetString()!);
        Assert.Contains("user-modify-playback-state", Uri.UnescapeDataString(url.Query), StringComparison.Ordinal);
        Assert.Equal(0, _spotify.Count("PUT", "/v1/me/player/play"));
        Assert.True(await _bot.Spotify.IsLinkedAsync(Payloads.UserId, Ct), "the old link stays until the member relinks");
    }

    [Fact]
    public async Task PlayButton_NotLinked_OffersALink()
    {
        var (embed, playId) = await PhotoReplyAsync();

        var (_, edit) = await PressAsync(playId, embed, Payloads.OtherUserId);

        Assert.Contains("Link your Spotify account", Content(edit), StringComparison.Ordinal);
        Assert.DoesNotContain(_spotify.Requests, r => r.Path.StartsWith("/v1/me", StringComparison.Ordinal));
    }

    private async Task<string> RefusalAsync(string playId, JsonNode embed, string expected)
    {
        var (callback, edit) = await PressAsync(playId, embed);
        Assert.Equal(64, callback.GetProperty("data").GetProperty("flags").GetInt32());
        var text = Content(edit);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Something went wrong", text, StringComparison.Ordinal);
        return text;
    }

    private async Task<(JsonNode Embed, string PlayId)> PhotoReplyAsync()
    {
        var (bytes, type) = _discord.CdnFiles.GetOrAdd("bbt1.jpg", n => (File.ReadAllBytes(SharedData.Path("photos/" + n)), "image/jpeg"));
        var interaction = Payloads.MoodMusic(_discord.CdnUrl("bbt1.jpg"), size: bytes.Length, contentType: type);
        await _gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
        var edit = await _discord.NextRequestAsync(r => r.Is("PATCH", Original(interaction)), TimeSpan.FromSeconds(60));
        var payload = JsonNode.Parse(edit.Json!.Value.GetRawText())!;
        var play = payload["components"]![0]!["components"]!.AsArray().Single(b => b!["label"]!.GetValue<string>() == "▶ Play on Spotify");
        return (payload["embeds"]![0]!, play!["custom_id"]!.GetValue<string>());
    }

    private async Task<(JsonElement Callback, JsonElement Edit)> PressAsync(string customId, JsonNode embed, string userId = Payloads.UserId)
    {
        var click = Payloads.Click(customId, embed, userId);
        await _gateway.SendDispatchAsync("INTERACTION_CREATE", click);
        var callback = await _discord.NextRequestAsync(r => r.Path == $"/interactions/{click["id"]}/{click["token"]}/callback", TimeSpan.FromSeconds(30));
        var edit = await _discord.NextRequestAsync(r => r.Is("PATCH", Original(click)), TimeSpan.FromSeconds(30));
        return (callback.Json!.Value, edit.Json!.Value);
    }

    private static string Content(JsonElement edit) => edit.GetProperty("content").GetString() ?? string.Empty;

    private static string Original(JsonObject i) => $"/webhooks/{FakeDiscord.ApplicationId}/{i["token"]}/messages/@original";

    private static List<string> TrackIds(JsonNode embed) =>
        TrackUrl().Matches(embed["description"]!.GetValue<string>()).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"open\.spotify\.com/track/(\w+)")]
    private static partial Regex TrackUrl();
}
