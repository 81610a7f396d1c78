using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Rest;

namespace MoodBot.Discord.Gateway;

/// <summary>
/// Starts Discord: registers the slash commands and, in Gateway mode, runs the shards. Does nothing (after one clear
/// log line) when no token is configured, so the host runs without Discord. On stop, interactions in flight finish
/// (bounded by the host's shutdown timeout) before the process exits.
/// </summary>
internal sealed class DiscordBotService(
    IServiceProvider services,
    IOptions<DiscordOptions> options,
    IdentifyGate identifyGate,
    InteractionDispatcher dispatcher,
    DiscordStatus status,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
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
            await RunGatewayAsync(o, stoppingToken).ConfigureAwait(false);
        }

        await registration.ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await dispatcher.DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunGatewayAsync(DiscordOptions o, CancellationToken ct)
    {
        GatewayBotResponse gateway;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                gateway = await services.GetRequiredService<DiscordRestClient>().GetGatewayBotAsync(ct).ConfigureAwait(false);
                break;
            }
            catch (DiscordRestException ex) when (ex.Status == System.Net.HttpStatusCode.Unauthorized)
            {
                status.FatalError = "the bot token was rejected (401)";
                Log.TokenRejected(_logger);
                return;
            }
            // ExecutionRejectedException: the resilience pipeline's own timeouts (TimeoutRejectedException is not a
            // TimeoutException) and open circuit; a slow Discord at start must mean "retry", not a dead host.
            catch (Exception ex) when (ex is DiscordRestException or HttpRequestException or TimeoutException or Polly.ExecutionRejectedException ||
                                       (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                var delay = GatewayShard.Backoff(attempt);
                Log.GatewayDiscoveryFailed(_logger, ex, delay.TotalMilliseconds);
                await Task.Delay(delay, time, ct).ConfigureAwait(false);
            }
        }

        if (gateway.SessionStartLimit.Remaining <= 0)
        {
            // Out of identifies for today: waiting for the reset beats getting the token reset by Discord.
            var wait = TimeSpan.FromMilliseconds(gateway.SessionStartLimit.ResetAfter);
            Log.SessionStartLimitExhausted(_logger, wait.TotalMinutes);
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
        }

        // A configured range is this instance's share of a bot split across instances; otherwise run all Discord recommends.
        var (ids, count) = o.ShardCount is { } n && o.ConfiguredShardIds() is { } mine
            ? (mine.ToArray(), n)
            : (Enumerable.Range(0, Math.Max(1, gateway.Shards)).ToArray(), Math.Max(1, gateway.Shards));
        if (o.ShardCount is not null)
        {
            Log.ShardRangeConfigured(_logger, string.Join(',', ids), count);
        }

        Log.ShardsPlanned(_logger, ids.Length, count, Math.Max(1, gateway.SessionStartLimit.MaxConcurrency));
        var url = new Uri(gateway.Url);
        var shardLogger = loggers.CreateLogger<GatewayShard>();
        var shards = ids.Select(id => new GatewayShard(id, count, Math.Max(1, gateway.SessionStartLimit.MaxConcurrency), url, o.Token!,
            identifyGate, dispatcher, status, time, shardLogger).RunAsync(ct)).ToList();
        await Task.WhenAll(shards).ConfigureAwait(false);
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
                Log.TokenRejectedOnRegistration(_logger);
                return;
            }
            catch (Exception ex) when (ex is DiscordRestException or HttpRequestException or TimeoutException or Polly.ExecutionRejectedException or OperationCanceledException)
            {
                // Commands registered earlier keep working; a failed refresh is worth a warning, not a crash.
                var delay = GatewayShard.Backoff(attempt);
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
