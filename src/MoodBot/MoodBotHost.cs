using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Discord;
using MoodBot.Hosting;
using MoodBot.Music;
using MoodBot.Spotify;
using MoodBot.Storage;
using MoodBot.Vision;

namespace MoodBot;

/// <summary>The composition root: every feature registers itself through one Add&lt;Feature&gt; call.</summary>
public static class MoodBotHost
{
    /// <summary>A host for CLI verbs: the same services as the bot, no web listener.</summary>
    /// <param name="cli">CLI verbs log warnings only, to stderr, so their stdout stays machine-readable.</param>
    public static HostApplicationBuilder CreateBuilder(bool cli, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // Config and models sit beside the binary, so the bot runs from any working directory.
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        Configure(builder, cli, overrides);
        return builder;
    }

    /// <summary>
    /// The bot: every feature plus the Kestrel listener (honours <c>ASPNETCORE_URLS</c> / <c>urls</c>) serving /healthz,
    /// /readyz, /metrics, the Spotify callback and, in HTTP mode, Discord interactions.
    /// </summary>
    public static WebApplication BuildBot(IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        Configure(builder, cli: false, overrides);
        builder.AddOperationalEndpoints();
        // Graceful shutdown: in-flight interactions get this long to finish before the host stops them.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        var app = builder.Build();
        app.MapOperationalEndpoints();
        app.MapSpotifyCallback();
        if (app.Services.GetRequiredService<IOptions<DiscordOptions>>().Value.Mode == DiscordMode.Http)
        {
            app.MapDiscordInteractions();
        }

        return app;
    }

    private static void Configure(IHostApplicationBuilder builder, bool cli, IEnumerable<KeyValuePair<string, string?>>? overrides)
    {
        var secrets = Environment.GetEnvironmentVariable("MOODBOT_SECRETS_FILE");
        if (StartupChecks.SecretsFileProblem(secrets) is { } unreadable)
        {
            throw new StartupProblemException(unreadable);
        }

        if (!string.IsNullOrEmpty(secrets))
        {
            builder.Configuration.AddJsonFile(secrets, optional: false, reloadOnChange: false);
        }

        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        if (StartupChecks.DataDirectoryProblem(builder.Configuration) is { } unwritable)
        {
            throw new StartupProblemException(unwritable);
        }

        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["MoodBot:LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
        {
            // One JSON object per line with scopes (the interaction correlation id rides in a scope).
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }

        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = cli ? LogLevel.Trace : LogLevel.Error);
        if (cli)
        {
            // Overrides appsettings' LogLevel rules: a verb's stderr carries warnings and errors only.
            builder.Services.PostConfigure<LoggerFilterOptions>(o =>
            {
                o.Rules.Clear();
                o.MinLevel = LogLevel.Warning;
            });
        }

        builder.AddVision();
        builder.AddStorage();
        builder.AddMusic();
        builder.AddDiscord();
        builder.AddSpotify();
    }
}
