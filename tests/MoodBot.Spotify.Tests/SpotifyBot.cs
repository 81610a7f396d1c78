using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MoodBot.Core;

namespace MoodBot.Spotify.Tests;

/// <summary>
/// MoodBot's side: a real WebApplication on 127.0.0.1:0 with <c>AddSpotify()</c> pointed at the fake and the callback
/// mapped, an in-memory link store and a log collector that sees every category down to Trace.
/// </summary>
internal sealed class SpotifyBot : IAsyncDisposable
{
    /// <summary>
    /// The redirect URI is fixed in configuration before Kestrel picks a port, so it names a nominal loopback address;
    /// the browser stand-in (<see cref="FollowAsync"/>) sends Spotify's redirect to the port actually bound.
    /// </summary>
    public static readonly Uri RedirectUri = new("http://127.0.0.1:43117/spotify/callback");

    private readonly WebApplication _app;

    private SpotifyBot(WebApplication app, InMemorySpotifyLinkStore store)
    {
        _app = app;
        Store = store;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    public Uri BaseUrl { get; }

    public InMemorySpotifyLinkStore Store { get; }

    public IServiceProvider Services => _app.Services;

    public SpotifyLinking Linking => Services.GetRequiredService<SpotifyLinking>();

    public ISpotifyLinking Port => Services.GetRequiredService<ISpotifyLinking>();

    public IGenreTrackSearch Search => Services.GetRequiredService<IGenreTrackSearch>();

    internal SpotifyApiClient Api => Services.GetRequiredService<SpotifyApiClient>();

    internal SpotifyAppTokens AppTokens => Services.GetRequiredService<SpotifyAppTokens>();

    internal TokenProtector Protector => Services.GetRequiredService<TokenProtector>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public static Dictionary<string, string?> Configuration(FakeSpotify? fake) => new()
    {
        ["MoodBot:Spotify:ClientId"] = FakeSpotify.ClientId,
        ["MoodBot:Spotify:ClientSecret"] = FakeSpotify.ClientSecret,
        ["MoodBot:Spotify:RedirectUri"] = RedirectUri.ToString(),
        ["MoodBot:Spotify:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["MoodBot:Spotify:ApiBaseUrl"] = fake?.ApiBaseUrl.ToString() ?? "https://api.spotify.com/v1",
        ["MoodBot:Spotify:AccountsBaseUrl"] = fake?.BaseUrl.ToString() ?? "https://accounts.spotify.com",
        // Short waits keep the resilience tests fast; the rules are the same as in production.
        ["MoodBot:Spotify:AttemptTimeout"] = "00:00:02",
        ["MoodBot:Spotify:TotalTimeout"] = "00:00:10",
        ["MoodBot:Spotify:RetryBaseDelay"] = "00:00:00.010",
        ["MoodBot:Spotify:MaxRetryAfter"] = "00:00:02",
        ["MoodBot:Spotify:MaxRetries"] = "3",
    };

    public static async Task<SpotifyBot> StartAsync(FakeSpotify? fake, Action<Dictionary<string, string?>>? configure = null, TimeProvider? time = null)
    {
        var config = Configuration(fake);
        configure?.Invoke(config);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFakeLogging();
        var store = new InMemorySpotifyLinkStore();
        builder.Services.AddSingleton<ISpotifyLinkStore>(store);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.AddSpotify();
        var app = builder.Build();
        app.MapSpotifyCallback();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new SpotifyBot(app, store);
    }

    /// <summary>The browser following Spotify's redirect to MoodBot's callback.</summary>
    public async Task<(HttpStatusCode Status, string Html, HttpResponseMessage Response)> FollowAsync(Uri spotifyRedirect)
    {
        var target = new Uri(BaseUrl, spotifyRedirect.PathAndQuery);
        using var http = new HttpClient();
        var response = await http.GetAsync(target, TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, html, response);
    }

    /// <summary>Authorize URL → fake consent → callback, as a member would do it.</summary>
    public async Task<SpotifyCallbackStatus> LinkAsync(FakeSpotify fake, string discordUserId)
    {
        var url = await Port.CreateAuthorizeUrlAsync(discordUserId, TestContext.Current.CancellationToken);
        var redirect = await FakeSpotify.AuthorizeAsync(url);
        var (status, _, response) = await FollowAsync(redirect);
        response.Dispose();
        return status == HttpStatusCode.OK && Store.Accounts.ContainsKey(discordUserId) ? SpotifyCallbackStatus.Linked : SpotifyCallbackStatus.Failed;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
