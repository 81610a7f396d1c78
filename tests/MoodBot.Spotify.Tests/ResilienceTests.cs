using System.Diagnostics;
using System.Net;
using MoodBot.Core;

namespace MoodBot.Spotify.Tests;

public sealed class ResilienceTests : SpotifyTestBase
{
    [Fact]
    public async Task Search_429WithShortRetryAfter_WaitsAndSucceeds()
    {
        Fake.Fail("GET", "/v1/search", HttpStatusCode.TooManyRequests, retryAfter: "1");
        var clock = Stopwatch.StartNew();
        var tracks = await Bot.Search.SearchGenreAsync("pop", 5, 0, Ct);
        Assert.Equal(5, tracks.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"waited only {clock.Elapsed}");
        Assert.Equal(2, Fake.Count("GET", "/v1/search"));
    }

    [Fact]
    public async Task Search_429WithLongRetryAfter_FailsFastAsRateLimited()
    {
        Fake.Fail("GET", "/v1/search", HttpStatusCode.TooManyRequests, retryAfter: "120");
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<SpotifyException>(() => Bot.Search.SearchGenreAsync("pop", 5, 0, Ct));
        Assert.Equal(SpotifyFailure.RateLimited, e.Failure);
        Assert.Equal(TimeSpan.FromSeconds(120), e.RetryAfter);
        Assert.Contains("120 s", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(1, Fake.Count("GET", "/v1/search"));
    }

    [Fact]
    public async Task Search_5xxBurst_RetriedUntilSuccess()
    {
        Fake.Fail("GET", "/v1/search", HttpStatusCode.ServiceUnavailable, times: 2);
        Fake.Fail("GET", "/v1/search", HttpStatusCode.BadGateway);
        var tracks = await Bot.Search.SearchGenreAsync("pop", 5, 0, Ct);
        Assert.Equal(5, tracks.Count);
        Assert.Equal(4, Fake.Count("GET", "/v1/search"));
    }

    [Fact]
    public async Task Search_5xxBeyondRetries_ClearUnavailableError()
    {
        Fake.Fail("GET", "/v1/search", HttpStatusCode.InternalServerError, times: 10);
        var e = await Assert.ThrowsAsync<SpotifyException>(() => Bot.Search.SearchGenreAsync("pop", 5, 0, Ct));
        Assert.Equal(SpotifyFailure.Unavailable, e.Failure);
        Assert.Equal(HttpStatusCode.InternalServerError, e.Status);
        Assert.Equal(4, Fake.Count("GET", "/v1/search")); // 1 + MaxRetries (3)
    }

    [Fact]
    public async Task Search_SlowAnswer_TimesOutAndRetries()
    {
        await using var bot = await StartBotAsync(c => c["MoodBot:Spotify:AttemptTimeout"] = "00:00:00.300");
        Fake.Fail("GET", "/v1/search", HttpStatusCode.OK, delay: TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();
        var tracks = await bot.Search.SearchGenreAsync("pop", 5, 0, Ct);
        Assert.Equal(5, tracks.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"took {clock.Elapsed}");
        Assert.Equal(2, Fake.Count("GET", "/v1/search"));
    }

    [Fact]
    public async Task CreatePlaylist_5xx_NotRetried()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "7"));
        Fake.Fail("POST", "/v1/me/playlists", HttpStatusCode.BadGateway);
        var result = await Bot.Port.SavePlaylistAsync("7", "MoodBot · sad · 2026-11-25", "d", [FakeSpotify.Id("x", 1)], Ct);
        Assert.False(result.Success);
        Assert.Equal(PlaylistProblem.Unavailable, result.Problem);
        Assert.Equal(1, Fake.Count("POST", "/v1/me/playlists"));
        Assert.Empty(Fake.Playlists);
    }

    [Fact]
    public async Task CreatePlaylist_SlowAnswer_NotRetried()
    {
        await using var bot = await StartBotAsync(c => c["MoodBot:Spotify:AttemptTimeout"] = "00:00:00.300");
        Assert.Equal(SpotifyCallbackStatus.Linked, await bot.LinkAsync(Fake, "7"));
        Fake.Fail("POST", "/v1/me/playlists", HttpStatusCode.OK, delay: TimeSpan.FromSeconds(2));
        var result = await bot.Port.SavePlaylistAsync("7", "n", "d", [FakeSpotify.Id("x", 1)], Ct);
        Assert.Equal(PlaylistProblem.Unavailable, result.Problem);
        Assert.Equal(1, Fake.Count("POST", "/v1/me/playlists"));
    }

    [Fact]
    public async Task CreatePlaylist_429ShortRetryAfter_RetriedBecauseNothingHappened()
    {
        Assert.Equal(SpotifyCallbackStatus.Linked, await Bot.LinkAsync(Fake, "7"));
        Fake.Fail("POST", "/v1/me/playlists", HttpStatusCode.TooManyRequests, retryAfter: "1");
        var result = await Bot.Port.SavePlaylistAsync("7", "n", "d", [FakeSpotify.Id("x", 1)], Ct);
        Assert.True(result.Success, result.Message);
        Assert.Equal(2, Fake.Count("POST", "/v1/me/playlists"));
        Assert.Single(Fake.Playlists);
    }

    [Fact]
    public async Task Search_PersistentFailures_CircuitOpensAndFailsFast()
    {
        await using var bot = await StartBotAsync(c => c["MoodBot:Spotify:MaxRetries"] = "1");
        Fake.Fail("GET", "/v1/search", HttpStatusCode.ServiceUnavailable, times: 1000);
        for (var i = 0; i < 6; i++)
        {
            await Assert.ThrowsAsync<SpotifyException>(() => bot.Search.SearchGenreAsync("pop", 5, 0, Ct));
        }

        var before = Fake.Count("GET", "/v1/search");
        var e = await Assert.ThrowsAsync<SpotifyException>(() => bot.Search.SearchGenreAsync("pop", 5, 0, Ct));
        Assert.Equal(SpotifyFailure.Unavailable, e.Failure);
        Assert.Contains("paused", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Fake.Count("GET", "/v1/search"));
    }
}
