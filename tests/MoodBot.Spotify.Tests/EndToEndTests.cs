using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;

namespace MoodBot.Spotify.Tests;

public sealed class EndToEndTests : SpotifyTestBase
{
    [Fact]
    public async Task LinkSaveUnlink_OverRealHttp_EndToEnd()
    {
        // 1. The member asks for a link; Spotify's consent page redirects back to MoodBot's Kestrel listener.
        var url = await Bot.Port.CreateAuthorizeUrlAsync("555", Ct);
        var redirect = await FakeSpotify.AuthorizeAsync(url);
        var (status, html, response) = await Bot.FollowAsync(redirect);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("Spotify linked", html, StringComparison.Ordinal);
            Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }

        // 2. An encrypted row.
        var account = Assert.Single(Bot.Store.Accounts.Values);
        Assert.Equal("555", account.DiscordUserId);
        Assert.StartsWith("v1.", account.ProtectedRefreshToken, StringComparison.Ordinal);
        Assert.DoesNotContain(account.ProtectedRefreshToken, Fake.Secrets);

        // 3. The recommended tracks (here: a genre search) become a private playlist.
        var tracks = await Bot.Search.SearchGenreAsync("happy hardcore", 12, 0, Ct);
        var result = await Bot.Port.SavePlaylistAsync("555", "MoodBot · happy · 2026-11-25",
            "Made by MoodBot for a happy mood, lifting it step by step.", [.. tracks.Select(t => t.Id)], Ct);
        Assert.True(result.Success, result.Message);
        var playlist = Assert.Single(Fake.Playlists.Values);
        Assert.Equal("MoodBot · happy · 2026-11-25", playlist.Name);
        Assert.Equal(tracks.Select(t => t.Uri), playlist.Uris);

        // 4. Unlink removes the tokens.
        Assert.True(await Bot.Port.UnlinkAsync("555", Ct));
        Assert.Empty(Bot.Store.Accounts);
        Assert.False(await Bot.Port.IsLinkedAsync("555", Ct));
    }

    [Fact]
    public async Task Callback_OpenedTwice_SecondPageSaysAlreadyUsed()
    {
        var redirect = await FakeSpotify.AuthorizeAsync(await Bot.Port.CreateAuthorizeUrlAsync("555", Ct));
        (await Bot.FollowAsync(redirect)).Response.Dispose();
        var (status, html, response) = await Bot.FollowAsync(redirect);
        response.Dispose();
        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.Contains("already been used", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_RepeatedStateParameter_BadRequest()
    {
        var (status, _, response) = await Bot.FollowAsync(new Uri("http://x/spotify/callback?state=a&state=b&code=c"));
        response.Dispose();
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public void Render_HostileText_IsHtmlEncoded()
    {
        var html = SpotifyCallbackPage.Render("<script>alert(1)</script>", "a & \"b\" <i>");
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SpotifyCallbackStatus.Linked, 200)]
    [InlineData(SpotifyCallbackStatus.Denied, 200)]
    [InlineData(SpotifyCallbackStatus.Expired, 410)]
    [InlineData(SpotifyCallbackStatus.AlreadyUsed, 410)]
    [InlineData(SpotifyCallbackStatus.Invalid, 400)]
    [InlineData(SpotifyCallbackStatus.Failed, 502)]
    public void Page_EveryOutcome_HasOwnStatusAndText(SpotifyCallbackStatus outcome, int code)
    {
        Assert.Equal(code, SpotifyCallbackPage.StatusCode(outcome));
        var others = Enum.GetValues<SpotifyCallbackStatus>().Where(s => s != outcome).Select(s => SpotifyCallbackPage.Text(s).Title);
        Assert.DoesNotContain(SpotifyCallbackPage.Text(outcome).Title, others);
    }

    /// <summary>Every category at Trace, every flow including failures: no secret may show up anywhere in a log record.</summary>
    [Fact]
    public async Task Logs_WholeFlowIncludingFailures_NeverContainSecrets()
    {
        Fake.RotateRefreshTokens = true;
        Fake.AudioFeaturesStatus = HttpStatusCode.Forbidden;
        Fake.RecommendationsStatus = HttpStatusCode.NotFound;
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "777"));
        await Bot.Services.GetRequiredService<IMoodRecommendationSource>().RecommendAsync(new MoodTarget(0.4, 0.4), ["pop"], 5, Ct);
        var tracks = await Bot.Search.SearchGenreAsync("pop", 10, 0, Ct);
        Fake.RevokeAccessTokens(); // 401 → refresh (rotated) → retry
        Assert.True((await Bot.Port.SavePlaylistAsync("777", "n", "d", [.. tracks.Select(t => t.Id)], Ct)).Success);
        Fake.Fail("GET", "/v1/search", HttpStatusCode.TooManyRequests, retryAfter: "600");
        await Assert.ThrowsAsync<SpotifyException>(() => Bot.Search.SearchGenreAsync("pop", 5, 0, Ct));
        Fake.DenyNextAuthorization = true;
        await Bot.LinkAsync(Fake, "888");
        Fake.RevokeRefreshTokens();
        Fake.RevokeAccessTokens();
        Assert.False((await Bot.Port.SavePlaylistAsync("777", "n2", "d", [tracks[0].Id], Ct)).Success);
        var pending = await Bot.Port.CreateAuthorizeUrlAsync("999", Ct); // an unused verifier and state

        var records = Bot.Logs.GetSnapshot();
        Assert.NotEmpty(records);
        var secrets = Fake.Secrets.Concat(Bot.Store.States.Keys).Append(pending.Query).ToList();
        Assert.True(secrets.Count > 10);
        foreach (var record in records)
        {
            var text = string.Join("\n", new[] { record.Message, record.Exception?.ToString() }
                .Concat(record.StructuredState?.Select(kv => kv.Value) ?? []).OfType<string>());
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"[{record.Category}] leaked a secret: {record.Message} STATE: {string.Join(" | ", record.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? [])}");
            }
        }
    }
}
