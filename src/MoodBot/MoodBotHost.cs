using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MoodBot.Vision;

namespace MoodBot;

/// <summary>The composition root: every feature registers itself through one Add&lt;Feature&gt; call.</summary>
public static class MoodBotHost
{
    /// <param name="cli">CLI verbs log warnings only, to stderr, so their stdout stays machine-readable.</param>
    public static HostApplicationBuilder CreateBuilder(bool cli, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // Config and models sit beside the binary, so the bot runs from any working directory.
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        var secrets = Environment.GetEnvironmentVariable("MOODBOT_SECRETS_FILE");
        if (!string.IsNullOrEmpty(secrets))
        {
            builder.Configuration.AddJsonFile(secrets, optional: false, reloadOnChange: false);
        }

        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
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
        return builder;
    }
}
