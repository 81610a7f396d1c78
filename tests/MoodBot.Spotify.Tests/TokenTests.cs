using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace MoodBot.Spotify.Tests;

public sealed class TokenTests : SpotifyTestBase
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    protected override TimeProvider? Time => _time;

    private int TokenCalls => Fake.Count("POST", "/api/token");

    [Fact]
    public async Task SearchGenre_ManyCalls_OneAppToken()
    {
        for (var i = 0; i < 3; i++)
        {
            await Bot.Search.SearchGenreAsync("pop", 5, i * 5, Ct);
        }

        Assert.Equal(1, TokenCalls);
        Assert.Equal(3, Fake.Count("GET", "/v1/search"));
    }

    [Fact]
    public async Task AppToken_NearExpiry_RenewedEarly()
    {
        await Bot.Search.SearchGenreAsync("pop", 5, 0, Ct);
        _time.Advance(TimeSpan.FromMinutes(54)); // 6 minutes left on a one-hour token: still fine
        await Bot.Search.SearchGenreAsync("pop", 5, 0, Ct);
        Assert.Equal(1, TokenCalls);
        _time.Advance(TimeSpan.FromMinutes(2)); // 4 minutes left: inside the 5-minute margin
        await Bot.Search.SearchGenreAsync("pop", 5, 0, Ct);
        Assert.Equal(2, TokenCalls);
    }

    [Fact]
    public async Task AppToken_ConcurrentCallers_OneRefreshAtATime()
    {
        Fake.TokenDelay = TimeSpan.FromMilliseconds(200);
        var tokens = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Bot.AppTokens.GetAsync(Ct)));
        Assert.Single(tokens.Distinct());
        Assert.Equal(1, TokenCalls);
    }

    [Fact]
    public async Task Search_TokenRevoked_RefreshesAndRetriesOnce()
    {
        await Bot.Search.SearchGenreAsync("pop", 5, 0, Ct);
        Fake.RevokeAccessTokens();
        var tracks = await Bot.Search.SearchGenreAsync("pop", 5, 0, Ct);
        Assert.Equal(5, tracks.Count);
        Assert.Equal(2, TokenCalls);
        Assert.Equal(3, Fake.Count("GET", "/v1/search"));
    }

    [Fact]
    public async Task Search_401EvenWithFreshToken_FailsAfterOneRetry()
    {
        Fake.Fail("GET", "/v1/search", HttpStatusCode.Unauthorized, times: 5);
        var e = await Assert.ThrowsAsync<SpotifyException>(() => Bot.Search.SearchGenreAsync("pop", 5, 0, Ct));
        Assert.Equal(SpotifyFailure.Unauthorized, e.Failure);
        Assert.Equal(2, Fake.Count("GET", "/v1/search"));
        Assert.Equal(2, TokenCalls);
    }

    [Fact]
    public async Task AppToken_WrongSecret_ClearError()
    {
        await using var bot = await StartBotAsync(c => c["MoodBot:Spotify:ClientSecret"] = "wrong");
        var e = await Assert.ThrowsAsync<SpotifyException>(() => bot.Search.SearchGenreAsync("pop", 5, 0, Ct));
        Assert.Contains("token request", e.Message, StringComparison.Ordinal);
        // The fake records the wrong Basic credentials as a violation; that is this test's point, so drain it.
        Assert.Contains(Fake.Violations, v => v.Contains("Basic", StringComparison.Ordinal));
        Fake.Violations.Clear();
    }
}
