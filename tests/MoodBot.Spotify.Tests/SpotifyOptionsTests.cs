using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Spotify.Tests;

public sealed class SpotifyOptionsTests
{
    private static ValidateOptionsResult Validate(Action<SpotifyOptions> change)
    {
        var options = new SpotifyOptions
        {
            ClientId = "id",
            ClientSecret = "secret",
            RedirectUri = new Uri("https://bot.example.com/spotify/callback"),
            EncryptionKey = Convert.ToBase64String(new byte[32]),
        };
        change(options);
        var rules = new SpotifyOptionsRulesValidator().Validate(null, options);
        var attributes = new SpotifyOptionsValidator().Validate(null, options);
        return rules.Failed ? rules : attributes;
    }

    [Fact]
    public void Validate_HttpsRedirect_Succeeds() => Assert.True(Validate(_ => { }).Succeeded);

    [Theory]
    [InlineData("http://127.0.0.1:8080/spotify/callback")]
    [InlineData("http://[::1]:8080/spotify/callback")]
    public void Validate_LoopbackHttpRedirect_Succeeds(string uri) => Assert.True(Validate(o => o.RedirectUri = new Uri(uri)).Succeeded);

    [Theory]
    [InlineData("http://localhost:8080/spotify/callback", "localhost")]
    [InlineData("https://localhost/spotify/callback", "localhost")]
    [InlineData("http://bot.example.com/spotify/callback", "https")]
    [InlineData("http://192.168.1.5:8080/spotify/callback", "https")]
    public void Validate_ForbiddenRedirect_FailsWithReason(string uri, string reason)
    {
        var result = Validate(o => o.RedirectUri = new Uri(uri));
        Assert.True(result.Failed);
        Assert.Contains(reason, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    public void Validate_BadEncryptionKey_Fails(string key) => Assert.Contains("EncryptionKey", Validate(o => o.EncryptionKey = key).FailureMessage, StringComparison.Ordinal);

    [Fact]
    public void Validate_RedirectWithoutKey_Fails() => Assert.True(Validate(o => o.EncryptionKey = null).Failed);

    [Fact]
    public void Validate_SecretWithoutId_Fails() => Assert.True(Validate(o => o.ClientId = "").Failed);

    [Fact]
    public void Validate_NothingConfigured_SucceedsAndIsOff()
    {
        var options = new SpotifyOptions();
        Assert.True(new SpotifyOptionsRulesValidator().Validate(null, options).Succeeded);
        Assert.False(options.IsConfigured);
        Assert.False(options.IsLinkingConfigured);
    }

    [Fact]
    public async Task AddSpotify_NoCredentials_HostStartsAndFeatureIsOff()
    {
        await using var bot = await SpotifyBot.StartAsync(null, c =>
        {
            c.Remove("MoodBot:Spotify:ClientId");
            c.Remove("MoodBot:Spotify:ClientSecret");
            c.Remove("MoodBot:Spotify:RedirectUri");
            c.Remove("MoodBot:Spotify:EncryptionKey");
        });
        Assert.False(bot.Search.IsAvailable);
        Assert.False(bot.Port.IsConfigured);
        var result = await bot.Port.SavePlaylistAsync("42", "n", "d", ["4uLU6hMCjMI75M1A2tKUQC"], TestContext.Current.CancellationToken);
        Assert.Equal(PlaylistProblem.Unavailable, result.Problem);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bot.Port.CreateAuthorizeUrlAsync("42", TestContext.Current.CancellationToken));
        Assert.Null(await bot.Services.GetRequiredService<IMoodRecommendationSource>()
            .RecommendAsync(new MoodTarget(0.5, 0.5), ["pop"], 5, TestContext.Current.CancellationToken));
        Assert.Contains(bot.Logs.GetSnapshot(), r => r.Id.Id == 4011);
    }

    [Fact]
    public async Task AddSpotify_LocalhostRedirect_HostRefusesToStart()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => SpotifyBot.StartAsync(null,
            c => c["MoodBot:Spotify:RedirectUri"] = "http://localhost:5000/spotify/callback"));
        Assert.True(e is OptionsValidationException, e.GetType().Name);
        Assert.Contains("localhost", e.Message, StringComparison.Ordinal);
    }
}
