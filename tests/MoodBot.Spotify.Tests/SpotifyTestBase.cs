namespace MoodBot.Spotify.Tests;

/// <summary>A fake Spotify and a bot wired to it per test; any request the spec does not describe fails the test.</summary>
public abstract class SpotifyTestBase : IAsyncLifetime
{
    internal FakeSpotify Fake { get; private set; } = null!;

    internal SpotifyBot Bot { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected virtual TimeProvider? Time => null;

    public async ValueTask InitializeAsync()
    {
        Fake = await FakeSpotify.StartAsync();
        Bot = await SpotifyBot.StartAsync(Fake, Configure, Time);
    }

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Fake.DisposeAsync();
        Fake.AssertNoViolations();
        GC.SuppressFinalize(this);
    }

    protected virtual void Configure(Dictionary<string, string?> configuration)
    {
    }

    /// <summary>Another bot on the same fake with different settings (disposed by the caller).</summary>
    internal Task<SpotifyBot> StartBotAsync(Action<Dictionary<string, string?>> configure) => SpotifyBot.StartAsync(Fake, configure, Time);
}
