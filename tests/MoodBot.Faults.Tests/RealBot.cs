using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Tests.Fakes;
using MoodBot.Music;
using MoodBot.Spotify.Tests;

namespace MoodBot.Faults.Tests;

/// <summary>
/// The bot exactly as <see cref="MoodBotHost.BuildBot"/> composes it (real Vision models and cascades, real recommender
/// on a small catalog, real Discord and Spotify clients, real storage), with its endpoints pointed at the fakes.
/// </summary>
internal sealed class RealBot : IAsyncDisposable
{
    /// <summary>A small real catalog (686 tracks with valence and energy).</summary>
    public const string CatalogFile = "datasets/music/data_moods.csv";

    /// <summary>Fixed before Kestrel picks a port; the browser stand-in sends Spotify's redirect to the port actually bound.</summary>
    private static readonly Uri RedirectUri = new("http://127.0.0.1:43118/spotify/callback");

    private readonly WebApplication _app;
    private readonly string? _sqliteDirectory;

    private RealBot(WebApplication app, string? sqliteDirectory)
    {
        _app = app;
        _sqliteDirectory = sqliteDirectory;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    public Uri BaseUrl { get; }

    public IServiceProvider Services => _app.Services;

    public ISpotifyLinking Spotify => Services.GetRequiredService<ISpotifyLinking>();

    /// <param name="postgres">A connection string to use PostgreSQL; null for a SQLite file in a temporary folder.</param>
    /// <param name="importCatalog">False: start with an empty catalog, as a fresh install does (the shipped one is seeded).</param>
    public static async Task<RealBot> StartAsync(FakeDiscord discord, FakeSpotify? spotify = null, string? postgres = null,
        Action<Dictionary<string, string?>>? configure = null, bool importCatalog = true)
    {
        var sqliteDirectory = postgres is null ? Directory.CreateTempSubdirectory("moodbot-faults-").FullName : null;
        var config = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Polly"] = "None",
            // The bot logs each failure once itself (event 5031, with the exception); EF Core would add two more per call.
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None",
            ["MoodBot:Discord:Token"] = FakeDiscord.Token,
            ["MoodBot:Discord:ApplicationId"] = FakeDiscord.ApplicationId,
            ["MoodBot:Discord:ApiBaseUrl"] = discord.ApiBase.ToString(),
            ["MoodBot:Discord:CdnHosts:0"] = discord.Origin,
            ["MoodBot:Discord:CooldownSeconds"] = "0",
        };
        if (postgres is null)
        {
            config["MoodBot:Storage:SqlitePath"] = Path.Combine(sqliteDirectory!, "moodbot.db");
        }
        else
        {
            config["MoodBot:Storage:Provider"] = "Postgres";
            config["MoodBot:Storage:ConnectionString"] = postgres;
        }

        if (spotify is not null)
        {
            config["MoodBot:Spotify:ClientId"] = FakeSpotify.ClientId;
            config["MoodBot:Spotify:ClientSecret"] = FakeSpotify.ClientSecret;
            config["MoodBot:Spotify:RedirectUri"] = RedirectUri.ToString();
            config["MoodBot:Spotify:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            config["MoodBot:Spotify:ApiBaseUrl"] = spotify.ApiBaseUrl.ToString();
            config["MoodBot:Spotify:AccountsBaseUrl"] = spotify.BaseUrl.ToString();
            // Production waits longer; the rules (what is retried, what is not) are the same.
            config["MoodBot:Spotify:AttemptTimeout"] = "00:00:00.500";
            config["MoodBot:Spotify:TotalTimeout"] = "00:00:03";
            config["MoodBot:Spotify:RetryBaseDelay"] = "00:00:00.010";
            config["MoodBot:Spotify:MaxRetryAfter"] = "00:00:01";
            config["MoodBot:Spotify:MaxRetries"] = "2";
        }

        configure?.Invoke(config);
        var app = MoodBotHost.BuildBot(config);
        // Imported before the start (the stores create the schema on first use), so the warm-up indexes it and the
        // shipped catalog is not seeded (the catalog is not empty).
        if (importCatalog)
        {
            await app.Services.GetRequiredService<CatalogImporter>().ImportAsync(SharedData.Path(CatalogFile), TestContext.Current.CancellationToken);
        }

        await app.StartAsync(TestContext.Current.CancellationToken);
        return new RealBot(app, sqliteDirectory);
    }

    /// <summary>Authorize URL → fake consent page → MoodBot's callback, as a member's browser would go.</summary>
    public async Task LinkSpotifyAsync(string discordUserId)
    {
        var ct = TestContext.Current.CancellationToken;
        var redirect = await FakeSpotify.AuthorizeAsync(await Spotify.CreateAuthorizeUrlAsync(discordUserId, ct));
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(BaseUrl, redirect.PathAndQuery), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await Spotify.IsLinkedAsync(discordUserId, ct));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_sqliteDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_sqliteDirectory, recursive: true);
        }
    }
}
