using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;
using MoodBot.Core;

namespace MoodBot.Spotify.Tests;

public sealed class LinkingTests : SpotifyTestBase
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    protected override TimeProvider? Time => _time;

    private static IReadOnlyList<string> Ids(int count) => [.. Enumerable.Range(0, count).Select(i => FakeSpotify.Id("mood", i))];

    private async Task<(string State, Uri Redirect)> StartLinkAsync(string user)
    {
        var url = await Bot.Port.CreateAuthorizeUrlAsync(user, Ct);
        var redirect = await FakeSpotify.AuthorizeAsync(url);
        return (QueryHelpers.ParseQuery(url.Query)["state"].ToString(), redirect);
    }

    [Fact]
    public async Task CreateAuthorizeUrl_PkceS256_StateStoredWithEncryptedVerifier()
    {
        var url = await Bot.Port.CreateAuthorizeUrlAsync("1001", Ct);
        var query = QueryHelpers.ParseQuery(url.Query);
        Assert.StartsWith(Fake.BaseUrl + "authorize?", url.ToString(), StringComparison.Ordinal);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal("playlist-modify-private playlist-modify-public user-modify-playback-state", query["scope"]);
        Assert.Equal(SpotifyBot.RedirectUri.ToString(), query["redirect_uri"]);
        var state = Assert.Single(Bot.Store.States.Values);
        Assert.Equal(query["state"], state.State);
        Assert.Equal("1001", state.DiscordUserId);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10), state.ExpiresAt);
        var verifier = Bot.Protector.Unprotect(state.ProtectedCodeVerifier, "pkce:" + state.State);
        Assert.DoesNotContain(verifier, state.ProtectedCodeVerifier, StringComparison.Ordinal);
        Assert.Equal(query["code_challenge"], Pkce.Challenge(verifier));
    }

    [Fact]
    public async Task Callback_Approved_LinksWithEncryptedRefreshToken()
    {
        var (_, redirect) = await StartLinkAsync("1001");
        var outcome = await Callback(redirect);
        Assert.Equal(new SpotifyCallbackOutcome(SpotifyCallbackStatus.Linked, "1001"), outcome);
        var account = Bot.Store.Accounts["1001"];
        var refresh = Bot.Protector.Unprotect(account.ProtectedRefreshToken, "refresh:1001");
        Assert.True(Fake.IsValidRefreshToken(refresh));
        Assert.DoesNotContain(refresh, account.ProtectedRefreshToken, StringComparison.Ordinal);
        Assert.True(await Bot.Port.IsLinkedAsync("1001", Ct));
        Assert.Empty(Bot.Store.States);
    }

    [Fact]
    public async Task Callback_SameStateTwice_SecondIsAlreadyUsed()
    {
        var (_, redirect) = await StartLinkAsync("1001");
        Assert.Equal(SpotifyCallbackStatus.Linked, (await Callback(redirect)).Status);
        Assert.Equal(SpotifyCallbackStatus.AlreadyUsed, (await Callback(redirect)).Status);
        Assert.Equal(1, Fake.Count("POST", "/api/token"));
    }

    [Fact]
    public async Task Callback_AfterTenMinutes_ExpiredAndNotExchanged()
    {
        var (_, redirect) = await StartLinkAsync("1001");
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.Equal(SpotifyCallbackStatus.Expired, (await Callback(redirect)).Status);
        Assert.Equal(0, Fake.Count("POST", "/api/token"));
        Assert.False(await Bot.Port.IsLinkedAsync("1001", Ct));
    }

    [Fact]
    public async Task Callback_MemberCancels_DeniedAndStateConsumed()
    {
        Fake.DenyNextAuthorization = true;
        var (_, redirect) = await StartLinkAsync("1001");
        Assert.Equal(SpotifyCallbackStatus.Denied, (await Callback(redirect)).Status);
        Assert.Empty(Bot.Store.States);
        Assert.False(await Bot.Port.IsLinkedAsync("1001", Ct));
    }

    [Fact]
    public async Task Callback_UnknownState_AlreadyUsed() =>
        Assert.Equal(SpotifyCallbackStatus.AlreadyUsed,
            (await Bot.Linking.HandleCallbackAsync(new SpotifyCallbackQuery("code", Pkce.CreateState(), null), Ct)).Status);

    [Theory]
    [InlineData(null, "s")]
    [InlineData("c", null)]
    public async Task Callback_MissingParameter_Invalid(string? code, string? state)
    {
        if (state is not null)
        {
            (state, _) = await StartLinkAsync("1001");
        }

        Assert.Equal(SpotifyCallbackStatus.Invalid, (await Bot.Linking.HandleCallbackAsync(new SpotifyCallbackQuery(code, state, null), Ct)).Status);
    }

    [Fact]
    public async Task Callback_VerifierSwapped_SpotifyRefusesAndNothingLinked()
    {
        var (state, redirect) = await StartLinkAsync("1001");
        // Another pending authorisation's verifier: the challenge no longer matches.
        var stored = Bot.Store.States[state];
        Bot.Store.States[state] = stored with { ProtectedCodeVerifier = Bot.Protector.Protect(Pkce.CreateVerifier(), "pkce:" + state) };
        Assert.Equal(SpotifyCallbackStatus.Failed, (await Callback(redirect)).Status);
        Assert.False(await Bot.Port.IsLinkedAsync("1001", Ct));
    }

    [Fact]
    public async Task SavePlaylist_230Tracks_PrivatePlaylistInBatchesOf100()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "1001"));
        var result = await Bot.Port.SavePlaylistAsync("1001", "MoodBot · happy · 2026-11-25", "Made by MoodBot to match a happy mood.", Ids(230), Ct);
        Assert.True(result.Success, result.Message);
        var playlist = Assert.Single(Fake.Playlists.Values);
        Assert.Equal("MoodBot · happy · 2026-11-25", playlist.Name);
        Assert.Contains("happy", playlist.Description, StringComparison.Ordinal);
        Assert.False(playlist.Public);
        Assert.Equal(Ids(230).Select(id => "spotify:track:" + id), playlist.Uris);
        Assert.Equal(3, Fake.Count("POST", "/v1/playlists/[^/]+/items"));
        Assert.Equal($"https://open.spotify.com/playlist/{Fake.Playlists.Keys.Single()}", result.PlaylistUrl);
    }

    [Fact]
    public async Task SavePlaylist_SameRequestTwice_OnePlaylist()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "1001"));
        var results = await Task.WhenAll(
            Bot.Port.SavePlaylistAsync("1001", "n", "d", Ids(5), Ct),
            Bot.Port.SavePlaylistAsync("1001", "n", "d", Ids(5), Ct));
        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(1, Fake.Count("POST", "/v1/me/playlists"));
        Assert.Equal(5, Fake.Playlists.Values.Single().Uris.Count);
    }

    [Fact]
    public async Task SavePlaylist_ItemsFailMidway_RepeatContinuesSamePlaylist()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "1001"));
        var ids = Ids(201);
        // The second of three batches fails with a 5xx; being a POST it is not retried.
        Fake.Fail("POST", "/v1/playlists/[^/]+/items", HttpStatusCode.InternalServerError, skip: 1);
        var failed = await Bot.Port.SavePlaylistAsync("1001", "n", "d", ids, Ct);
        Assert.False(failed.Success);
        Assert.Equal(PlaylistProblem.Unavailable, failed.Problem);
        Assert.Contains("adds the missing tracks", failed.Message, StringComparison.Ordinal);
        Assert.Equal(100, Fake.Playlists.Values.Single().Uris.Count);

        var retried = await Bot.Port.SavePlaylistAsync("1001", "n", "d", ids, Ct);
        Assert.True(retried.Success, retried.Message);
        var playlist = Assert.Single(Fake.Playlists.Values);
        Assert.Equal(ids.Select(id => "spotify:track:" + id), playlist.Uris);
        Assert.Equal(1, Fake.Count("POST", "/v1/me/playlists"));
        Assert.Equal(4, Fake.Count("POST", "/v1/playlists/[^/]+/items"));
    }

    [Fact]
    public async Task SavePlaylist_RotatedRefreshToken_NewOneStoredEncrypted()
    {
        Fake.RotateRefreshTokens = true;
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "1001"));
        var before = Bot.Protector.Unprotect(Bot.Store.Accounts["1001"].ProtectedRefreshToken, "refresh:1001");
        _time.Advance(TimeSpan.FromHours(2)); // the access token from the exchange has expired
        var result = await Bot.Port.SavePlaylistAsync("1001", "n", "d", Ids(3), Ct);
        Assert.True(result.Success, result.Message);
        var after = Bot.Protector.Unprotect(Bot.Store.Accounts["1001"].ProtectedRefreshToken, "refresh:1001");
        Assert.NotEqual(before, after);
        Assert.False(Fake.IsValidRefreshToken(before));
        Assert.True(Fake.IsValidRefreshToken(after));

        _time.Advance(TimeSpan.FromHours(2)); // and the next refresh uses the rotated token
        Assert.True((await Bot.Port.SavePlaylistAsync("1001", "n2", "d", Ids(3), Ct)).Success);
    }

    [Fact]
    public async Task SavePlaylist_AccessTokenRevoked_RefreshesOnceAndSucceeds()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "1001"));
        Fake.RevokeAccessTokens();
        var result = await Bot.Port.SavePlaylistAsync("1001", "n", "d", Ids(3), Ct);
        Assert.True(result.Success, result.Message);
        Assert.Equal(2, Fake.Count("POST", "/v1/me/playlists"));
        Assert.Single(Fake.Playlists);
    }

    [Fact]
    public async Task SavePlaylist_GrantRevoked_LinkAgainMessageAndLinkRemoved()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "1001"));
        Fake.RevokeRefreshTokens();
        _time.Advance(TimeSpan.FromHours(2));
        var result = await Bot.Port.SavePlaylistAsync("1001", "n", "d", Ids(3), Ct);
        Assert.False(result.Success);
        Assert.Equal(PlaylistProblem.LinkExpired, result.Problem);
        Assert.Contains("link your Spotify account again", result.Message, StringComparison.Ordinal);
        Assert.False(await Bot.Port.IsLinkedAsync("1001", Ct));
        Assert.Equal(0, Fake.Count("POST", "/v1/me/playlists"));
    }

    [Fact]
    public async Task SavePlaylist_DevModeUserNotRegistered_ClearMessageForMemberAndOperator()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "1001"));
        Fake.PlaylistsForbidden = true;
        var result = await Bot.Port.SavePlaylistAsync("1001", "n", "d", Ids(3), Ct);
        Assert.Equal(PlaylistProblem.NotAllowed, result.Problem);
        Assert.Contains("development mode", result.Message, StringComparison.Ordinal);
        Assert.Contains(Bot.Logs.GetSnapshot(), r => r.Id.Id == 4008 && r.Message.Contains("dashboard", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SavePlaylist_NotLinked_TellsMemberToLink()
    {
        var result = await Bot.Port.SavePlaylistAsync("2002", "n", "d", Ids(3), Ct);
        Assert.Equal(PlaylistProblem.NotLinked, result.Problem);
        Assert.Equal(0, Fake.Count("POST", "/api/token"));
    }

    [Fact]
    public async Task Unlink_RemovesTokens_ThenSaveNeedsLinking()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "1001"));
        Assert.True(await Bot.Port.UnlinkAsync("1001", Ct));
        Assert.Empty(Bot.Store.Accounts);
        Assert.False(await Bot.Port.UnlinkAsync("1001", Ct));
        Assert.Equal(PlaylistProblem.NotLinked, (await Bot.Port.SavePlaylistAsync("1001", "n", "d", Ids(3), Ct)).Problem);
    }

    private Task<SpotifyCallbackOutcome> Callback(Uri redirect)
    {
        var q = QueryHelpers.ParseQuery(redirect.Query);
        string? Get(string k) => q.TryGetValue(k, out var v) ? v.ToString() : null;
        return Bot.Linking.HandleCallbackAsync(new SpotifyCallbackQuery(Get("code"), Get("state"), Get("error")), Ct);
    }
}
