using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoodBot.Discord.Rest;

namespace MoodBot.Discord.Gateway;

/// <summary>
/// Runs this instance's shards: asks Discord where to connect and how many shards to run (<c>GET /gateway/bot</c>,
/// retried with backoff), waits out an exhausted session-start limit, then runs one <see cref="GatewayShard"/> per shard
/// until stopped. Interactions go to <see cref="IGatewayInteractionSink"/>; readiness is reported on <see cref="DiscordStatus"/>.
/// </summary>
internal sealed class GatewayClient(
    IServiceProvider services,
    IdentifyGate identifyGate,
    IGatewayInteractionSink sink,
    DiscordStatus status,
    TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<GatewayClient>();

    /// <param name="clientName">The library name sent in Identify.</param>
    /// <param name="configuredShards">This instance's share of a bot split across instances; null runs every shard Discord recommends.</param>
    public async Task RunAsync(string token, string clientName, (IReadOnlyList<int> Ids, int Count)? configuredShards, CancellationToken ct)
    {
        if (await DiscoverAsync(ct).ConfigureAwait(false) is not { } gateway)
        {
            return;
        }

        if (gateway.SessionStartLimit.Remaining <= 0)
        {
            // Out of identifies for today: waiting for the reset beats getting the token reset by Discord.
            var wait = TimeSpan.FromMilliseconds(gateway.SessionStartLimit.ResetAfter);
            Log.SessionStartLimitExhausted(_logger, wait.TotalMinutes);
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
        }

        var (ids, count) = configuredShards is { } mine
            ? (mine.Ids.ToArray(), mine.Count)
            : (Enumerable.Range(0, Math.Max(1, gateway.Shards)).ToArray(), Math.Max(1, gateway.Shards));
        if (configuredShards is not null)
        {
            Log.ShardRangeConfigured(_logger, string.Join(',', ids), count);
        }

        var maxConcurrency = Math.Max(1, gateway.SessionStartLimit.MaxConcurrency);
        Log.ShardsPlanned(_logger, ids.Length, count, maxConcurrency);
        var url = new Uri(gateway.Url);
        var shardLogger = loggers.CreateLogger<GatewayShard>();
        var shards = ids.Select(id => new GatewayShard(new GatewayShardSettings(id, count, maxConcurrency, url, token, clientName),
            identifyGate, sink, status, time, shardLogger).RunAsync(ct)).ToList();
        await Task.WhenAll(shards).ConfigureAwait(false);
    }

    /// <returns>Null when the token was rejected: retrying cannot help, and the status says why.</returns>
    private async Task<GatewayBotResponse?> DiscoverAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Resolved per attempt: a typed HttpClient is transient, and holding one forever would pin its handler.
                return await services.GetRequiredService<DiscordRestClient>().GetGatewayBotAsync(ct).ConfigureAwait(false);
            }
            catch (DiscordRestException ex) when (ex.Status == System.Net.HttpStatusCode.Unauthorized)
            {
                status.FatalError = "the bot token was rejected (401)";
                status.TokenRejected = true;
                Log.TokenRejected(_logger);
                return null;
            }
            // ExecutionRejectedException: the resilience pipeline's own timeouts (TimeoutRejectedException is not a
            // TimeoutException) and open circuit; a slow Discord at start must mean "retry", not a dead host.
            catch (Exception ex) when (ex is DiscordRestException or HttpRequestException or TimeoutException or Polly.ExecutionRejectedException ||
                                       (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                var delay = GatewayBackoff.Delay(attempt);
                Log.GatewayDiscoveryFailed(_logger, ex, delay.TotalMilliseconds);
                await Task.Delay(delay, time, ct).ConfigureAwait(false);
            }
        }
    }
}
