using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Tests.Fakes;
using MoodBot.Spotify.Tests;

namespace MoodBot.Faults.Tests;

/// <summary>The Spotify callback page served by the composed bot over its real database.</summary>
public sealed class CallbackPageTests
{
    [Fact]
    public async Task Callback_ExpiredLink_PageSaysExpiredAndCannotBeFramed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var discord = await FakeDiscord.StartAsync();
        await using var spotify = await FakeSpotify.StartAsync();
        await using var bot = await RealBot.StartAsync(discord, spotify);
        var store = bot.Services.GetRequiredService<ISpotifyLinkStore>();
        await store.SaveStateAsync(new OAuthState("expired-state", "111", "v", DateTimeOffset.UtcNow.AddMinutes(-1)), ct);
        // Another member asks for a link meanwhile (each new link sweeps old states).
        await bot.Spotify.CreateAuthorizeUrlAsync("222", ct);

        using var http = new HttpClient { BaseAddress = bot.BaseUrl };
        using var expired = await http.GetAsync(new Uri("spotify/callback?state=expired-state&code=abc", UriKind.Relative), ct);
        var page = await expired.Content.ReadAsStringAsync(ct);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("Link expired", page, StringComparison.Ordinal);
        Assert.DoesNotContain("already used", page, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", string.Join(';', expired.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        // The same link again, and a state never issued: those are "already used".
        using var again = await http.GetAsync(new Uri("spotify/callback?state=expired-state&code=abc", UriKind.Relative), ct);
        Assert.Contains("Link already used", await again.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }
}
