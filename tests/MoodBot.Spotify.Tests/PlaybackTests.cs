using MoodBot.Core;

namespace MoodBot.Spotify.Tests;

/// <summary>
/// <c>PUT /me/player/play</c> against the spec-checked fake: what a member's link must hold, and how each of Spotify's
/// refusals is told apart.
/// </summary>
public sealed class PlaybackTests : SpotifyTestBase
{
    private static readonly string[] Tracks = ["4iV5W9uYEdYUVa79Axb7Rh", "1301WleyT98MSxVHPZCA6M", "spotify:track:3n3Ppam7vgaVa1iaRUc9Lp"];

    [Fact]
    public async Task Link_RecordsTheGrantedScopes_IncludingPlayback()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "555"));

        var scopes = Bot.Store.Accounts["555"].Scopes!.Split(' ');
        Assert.Contains(SpotifyLinking.PlaybackScope, scopes);
        Assert.Contains("playlist-modify-private", scopes);
    }

    [Fact]
    public async Task PlayAsync_Linked_StartsTheTracksInOrderAsUris()
    {
        await Bot.LinkAsync(Fake, "555");

        Assert.Equal(PlaybackProblem.None, await Bot.Port.PlayAsync("555", Tracks, Ct));

        var (_, uris) = Assert.Single(Fake.Played);
        Assert.Equal(["spotify:track:4iV5W9uYEdYUVa79Axb7Rh", "spotify:track:1301WleyT98MSxVHPZCA6M", "spotify:track:3n3Ppam7vgaVa1iaRUc9Lp"], uris);
        Assert.Equal(1, Fake.Count("PUT", "/v1/me/player/play"));
    }

    [Fact]
    public async Task PlayAsync_NoActiveDevice_SaysSo()
    {
        await Bot.LinkAsync(Fake, "555");
        Fake.ActiveDevice = false;

        Assert.Equal(PlaybackProblem.NoActiveDevice, await Bot.Port.PlayAsync("555", Tracks, Ct));
        Assert.Empty(Fake.Played);
    }

    [Fact]
    public async Task PlayAsync_FreeAccount_PremiumRequired()
    {
        await Bot.LinkAsync(Fake, "555");
        Fake.Premium = false;

        Assert.Equal(PlaybackProblem.PremiumRequired, await Bot.Port.PlayAsync("555", Tracks, Ct));
    }

    [Fact]
    public async Task PlayAsync_DevModeAccountNotOnAllowList_NotAllowed()
    {
        await Bot.LinkAsync(Fake, "555");
        Fake.PlaylistsForbidden = true;

        Assert.Equal(PlaybackProblem.NotAllowed, await Bot.Port.PlayAsync("555", Tracks, Ct));
    }

    [Fact]
    public async Task PlayAsync_LinkFromBeforeScopesWereRecorded_AsksToRelinkWithoutCallingSpotify()
    {
        await Bot.LinkAsync(Fake, "555");
        Bot.Store.Accounts["555"] = Bot.Store.Accounts["555"] with { Scopes = null };

        Assert.Equal(PlaybackProblem.ScopeMissing, await Bot.Port.PlayAsync("555", Tracks, Ct));
        Assert.Equal(0, Fake.Count("PUT", "/v1/me/player/play"));
    }

    [Fact]
    public async Task PlayAsync_MemberGrantedOnlyPlaylistScopes_AsksToRelink()
    {
        Fake.GrantedScopes = "playlist-modify-private playlist-modify-public";
        await Bot.LinkAsync(Fake, "555");

        Assert.Equal(PlaybackProblem.ScopeMissing, await Bot.Port.PlayAsync("555", Tracks, Ct));
        Assert.Equal(0, Fake.Count("PUT", "/v1/me/player/play"));
    }

    [Fact]
    public async Task PlayAsync_StoredScopesClaimPlaybackButSpotifySaysInsufficientScope_AsksToRelink()
    {
        Fake.GrantedScopes = "playlist-modify-private playlist-modify-public";
        await Bot.LinkAsync(Fake, "555");
        Bot.Store.Accounts["555"] = Bot.Store.Accounts["555"] with { Scopes = SpotifyLinking.Scopes };

        Assert.Equal(PlaybackProblem.ScopeMissing, await Bot.Port.PlayAsync("555", Tracks, Ct));
        Assert.Equal(1, Fake.Count("PUT", "/v1/me/player/play"));
    }

    [Fact]
    public async Task PlayAsync_NotLinked_NotLinked()
    {
        Assert.Equal(PlaybackProblem.NotLinked, await Bot.Port.PlayAsync("555", Tracks, Ct));
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public async Task PlayAsync_GrantRevoked_LinkExpired()
    {
        await Bot.LinkAsync(Fake, "555");
        Fake.RevokeRefreshTokens();
        Fake.RevokeAccessTokens();

        Assert.Equal(PlaybackProblem.LinkExpired, await Bot.Port.PlayAsync("555", Tracks, Ct));
    }
}
