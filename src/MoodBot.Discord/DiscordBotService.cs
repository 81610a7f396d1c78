using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Discord.Gateway;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Rest;

namespace MoodBot.Discord;

/// <summary>
/// Starts Discord: registers the slash commands and, in Gateway mode, runs the shards. Does nothing (after one clear
/// log line) when no token is configured, so the host runs without Discord. On stop, interactions in flight finish
/// (bounded by the host's shutdown timeout) before the process exits.
/// </summary>
internal sealed class DiscordBotService(
    IServiceProvider services,
    IOptions<DiscordOptions> options,
    GatewayClient gateway,
    InteractionDispatcher dispatcher,
    DiscordStatus status,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    /// <summary>The library name in the gateway's Identify.</summary>
    private const string ClientName = "moodbot";

    private readonly ILogger _logger = loggers.CreateLogger<DiscordBotService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        status.Mode = o.Mode;
        if (!o.Enabled)
        {
            Log.DiscordDisabled(_logger);
            return;
        }

        status.Enabled = true;
        WarnAboutMissingServices();
        var registration = RegisterCommandsAsync(o, stoppingToken);
        if (o.Mode == DiscordMode.Gateway)
        {
            var configuredShards = o.ShardCount is { } count && o.ConfiguredShardIds() is { } ids ? (ids, count) : ((IReadOnlyList<int>, int)?)null;
            await gateway.RunAsync(o.Token!, ClientName, configuredShards, stoppingToken).ConfigureAwait(false);
        }

        await registration.ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await dispatcher.DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RegisterCommandsAsync(DiscordOptions o, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= 5 && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                var rest = services.GetRequiredService<DiscordRestClient>();
                await rest.BulkOverwriteCommandsAsync(o.ApplicationId!, string.IsNullOrEmpty(o.GuildId) ? null : o.GuildId, CommandCatalog.All, ct)
                    .ConfigureAwait(false);
                Log.CommandsRegistered(_logger, CommandCatalog.All.Count, string.IsNullOrEmpty(o.GuildId) ? "global" : "guild");
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (DiscordRestException ex) when (ex.Status == System.Net.HttpStatusCode.Unauthorized)
            {
                // The token itself is refused: retrying cannot help. In HTTP mode this call is the only one made with
                // the token, so it is what turns /readyz red (Gateway mode also learns it from GET /gateway/bot).
                status.FatalError = "the bot token was rejected (401)";
                status.TokenRejected = true;
                Log.TokenRejectedOnRegistration(_logger);
                return;
            }
            catch (Exception ex) when (ex is DiscordRestException or HttpRequestException or TimeoutException or Polly.ExecutionRejectedException or OperationCanceledException)
            {
                // Commands registered earlier keep working; a failed refresh is worth a warning, not a crash.
                var delay = GatewayBackoff.Delay(attempt);
                Log.CommandRegistrationFailed(_logger, ex, attempt);
                try
                {
                    await Task.Delay(delay, time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void WarnAboutMissingServices()
    {
        var check = services.GetService<IServiceProviderIsService>();
        foreach (var (type, what) in new (Type, string)[]
                 {
                     (typeof(IPhotoAnalyzer), "photo analysis (AddVision)"),
                     (typeof(IMoodTargetMapper), "mood → target mapping (AddMusic)"),
                     (typeof(IRecommender), "recommendations (AddMusic)"),
                     (typeof(ISpotifyLinking), "Spotify linking (AddSpotify)"),
                 })
        {
            if (check?.IsService(type) == false)
            {
                Log.MissingService(_logger, what);
            }
        }
    }
}
