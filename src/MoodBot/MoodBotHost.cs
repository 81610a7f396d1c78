using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;
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
    /// <param name="withSecretsFile">False only for check-config, which reports a broken secrets file and still checks the rest.</param>
    public static HostApplicationBuilder CreateBuilder(bool cli, IEnumerable<KeyValuePair<string, string?>>? overrides = null, bool withSecretsFile = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // Config and models sit beside the binary, so the bot runs from any working directory.
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        Configure(builder, cli, overrides, withSecretsFile);
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
        // First of all hosted services, so a broken model file stops the start before anything connects to Discord.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, ModelWarmUp>());
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

    /// <summary>
    /// The optional JSON file named by <c>MOODBOT_SECRETS_FILE</c>. A missing, unreadable or malformed file stops the
    /// start with one line naming it (its content is never echoed: it holds the secrets).
    /// </summary>
    private static void AddSecretsFile(IConfigurationBuilder configuration)
    {
        var secrets = Environment.GetEnvironmentVariable("MOODBOT_SECRETS_FILE");
        if (string.IsNullOrEmpty(secrets))
        {
            return;
        }

        var full = Path.GetFullPath(secrets);
        if (StartupChecks.SecretsFileProblem(full) is { } unreadable)
        {
            // Opening the file first gives the owner/mode advice (compose secrets keep the host file's mode).
            throw new StartupFailureException(unreadable);
        }

        try
        {
            configuration.AddJsonFile(full, optional: false, reloadOnChange: false);
            if (configuration is not IConfigurationRoot)
            {
                // A plain builder (check-config) reads files only when built; the host's ConfigurationManager reads at once.
                configuration.Build();
            }
        }
        catch (FileNotFoundException)
        {
            throw new StartupFailureException($"MOODBOT_SECRETS_FILE: no file at {full}; fix the path or unset the variable.");
        }
        catch (Exception e) when (e is UnauthorizedAccessException || e.InnerException is UnauthorizedAccessException)
        {
            throw new StartupFailureException($"MOODBOT_SECRETS_FILE: {full} is not readable by this user; fix its owner or permissions (chmod 600, owned by the bot's user).");
        }
        catch (InvalidDataException e)
        {
            // The JSON reader's position ("LineNumber: 3 | BytePositionInLine: 7") helps and reveals no value.
            var where = e.InnerException?.Message is { } m && m.IndexOf("LineNumber", StringComparison.Ordinal) is var at and >= 0 ? $" ({m[at..].Trim().TrimEnd('.')})" : "";
            throw new StartupFailureException($"MOODBOT_SECRETS_FILE: {full} is not valid JSON{where}; it must have the shape of appsettings.json.");
        }
        catch (IOException e)
        {
            throw new StartupFailureException($"MOODBOT_SECRETS_FILE: {full} cannot be read ({e.Message}).");
        }
    }

    /// <summary>Adds the secrets file as start-up does; throws <see cref="StartupFailureException"/> when it cannot be used.</summary>
    public static void CheckSecretsFile() => AddSecretsFile(new ConfigurationBuilder());

    private static void Configure(IHostApplicationBuilder builder, bool cli, IEnumerable<KeyValuePair<string, string?>>? overrides, bool withSecretsFile = true)
    {
        if (withSecretsFile)
        {
            AddSecretsFile(builder.Configuration);
        }

        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        if (StartupChecks.DataDirectoryProblem(builder.Configuration) is { } unwritable)
        {
            throw new StartupFailureException(unwritable);
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

        if (!StartupReporter.DebugRequested())
        {
            // A failed start is reported once, in one line, by StartupReporter; the host's own error entry would add the
            // same failure again with its stack trace (kept at debug level, where the reporter prints the trace too).
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        }

        builder.AddVision();
        builder.AddStorage();
        builder.AddMusic();
        builder.AddDiscord();
        builder.AddSpotify();
    }
}
