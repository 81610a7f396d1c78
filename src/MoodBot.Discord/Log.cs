using Microsoft.Extensions.Logging;
using MoodBot.Core;
using MoodBot.Discord.Interactions;

namespace MoodBot.Discord;

/// <summary>Every log line of the Discord feature (event ids 5000–5099). No tokens, URLs with tokens, or photo bytes.</summary>
internal static partial class Log
{
    // A warning, not information: the process stays up and /healthz answers (a container shows "healthy"), yet nobody is served.
    [LoggerMessage(5000, LogLevel.Warning,
        "Discord is disabled: MoodBot:Discord:Token is empty, so this bot answers no one (it stays up for /healthz and the CLI). " +
        "Run `moodbot check-config` to see what is missing (in the container: docker exec <container> /app/moodbot check-config); docs/discord.md")]
    public static partial void DiscordDisabled(ILogger logger);

    [LoggerMessage(5001, LogLevel.Debug, "Waiting {DelayMs:0} ms for the rate limit of {Route}")]
    public static partial void RateLimitWait(ILogger logger, string route, double delayMs);

    [LoggerMessage(5002, LogLevel.Warning, "Discord rate limit (429) on {Route}: retry after {RetryMs:0} ms (global: {Global}, scope: {Scope})")]
    public static partial void RateLimited(ILogger logger, string route, double retryMs, bool global, string scope);

    [LoggerMessage(5003, LogLevel.Information, "Registered {Count} slash commands ({Scope})")]
    public static partial void CommandsRegistered(ILogger logger, int count, string scope);

    [LoggerMessage(5004, LogLevel.Warning, "Registering slash commands failed (attempt {Attempt})")]
    public static partial void CommandRegistrationFailed(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(5005, LogLevel.Critical, "Discord rejected the bot token (401). Check MoodBot:Discord:Token; the bot will not connect.")]
    public static partial void TokenRejected(ILogger logger);

    [LoggerMessage(5006, LogLevel.Warning, "GET /gateway/bot failed; retrying in {DelayMs:0} ms")]
    public static partial void GatewayDiscoveryFailed(ILogger logger, Exception exception, double delayMs);

    [LoggerMessage(5007, LogLevel.Warning, "Daily session start limit exhausted; waiting {Minutes:0.0} min before identifying")]
    public static partial void SessionStartLimitExhausted(ILogger logger, double minutes);

    [LoggerMessage(5008, LogLevel.Information, "Running {Count} shard(s) of {Total} (max_concurrency {MaxConcurrency})")]
    public static partial void ShardsPlanned(ILogger logger, int count, int total, int maxConcurrency);

    [LoggerMessage(5009, LogLevel.Error, "Discord is enabled but {What} is not registered; those interactions will answer with an apology")]
    public static partial void MissingService(ILogger logger, string what);

    [LoggerMessage(5010, LogLevel.Information, "Shard {Shard}: connecting to the gateway (resume: {Resume})")]
    public static partial void GatewayConnecting(ILogger logger, int shard, bool resume);

    [LoggerMessage(5011, LogLevel.Information, "Shard {Shard}: ready")]
    public static partial void GatewayReady(ILogger logger, int shard);

    [LoggerMessage(5012, LogLevel.Information, "Shard {Shard}: session resumed")]
    public static partial void GatewayResumed(ILogger logger, int shard);

    [LoggerMessage(5013, LogLevel.Warning, "Shard {Shard}: gateway closed the connection ({Code} {Description})")]
    public static partial void GatewayClosed(ILogger logger, int shard, int code, string description);

    [LoggerMessage(5014, LogLevel.Critical, "Shard {Shard}: gateway closed with {Code}, {Reason}. Not reconnecting; fix the configuration and restart.")]
    public static partial void GatewayFatalClose(ILogger logger, int shard, int code, string reason);

    [LoggerMessage(5015, LogLevel.Warning, "Shard {Shard}: no heartbeat ACK since the last beat (zombie connection); reconnecting to resume")]
    public static partial void GatewayZombie(ILogger logger, int shard);

    [LoggerMessage(5016, LogLevel.Information, "Shard {Shard}: gateway asked us to reconnect (op 7)")]
    public static partial void GatewayReconnectRequested(ILogger logger, int shard);

    [LoggerMessage(5017, LogLevel.Warning, "Shard {Shard}: invalid session (op 9, resumable: {Resumable})")]
    public static partial void GatewayInvalidSession(ILogger logger, int shard, bool resumable);

    [LoggerMessage(5093, LogLevel.Warning, "Gateway shard {Shard} ignored a malformed frame: {Reason}")]
    public static partial void GatewayFrameIgnored(ILogger logger, int shard, string reason);

    [LoggerMessage(5018, LogLevel.Information, "Shard {Shard}: reconnecting in {DelayMs:0} ms")]
    public static partial void GatewayBackoff(ILogger logger, int shard, double delayMs);

    [LoggerMessage(5019, LogLevel.Warning, "Shard {Shard}: gateway connection lost")]
    public static partial void GatewayConnectionLost(ILogger logger, Exception exception, int shard);

    [LoggerMessage(5030, LogLevel.Debug, "Interaction {Type} {Name} received")]
    public static partial void InteractionReceived(ILogger logger, InteractionType type, string name);

    [LoggerMessage(5031, LogLevel.Error, "Interaction {Name} failed")]
    public static partial void InteractionFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(5032, LogLevel.Information, "Interaction {Name} refused: {Kind}")]
    public static partial void InteractionRefused(ILogger logger, string name, ProblemKind kind);

    [LoggerMessage(5033, LogLevel.Debug, "Initial response sent {LatencyMs:0.0} ms after receipt")]
    public static partial void InitialResponseLatency(ILogger logger, double latencyMs);

    [LoggerMessage(5034, LogLevel.Information, "Recommended {Count} tracks for {Emotion} ({Faces} face(s))")]
    public static partial void RecommendationDelivered(ILogger logger, Emotion emotion, int count, int faces);

    [LoggerMessage(5035, LogLevel.Warning, "Could not deliver the error reply for {Name}")]
    public static partial void ErrorReplyFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(5036, LogLevel.Warning, "Could not read this server's settings; answering with the bot's defaults")]
    public static partial void GuildSettingsUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(5037, LogLevel.Information, "Server settings changed ({Change})")]
    public static partial void GuildSettingsChanged(ILogger logger, string change);

    [LoggerMessage(5040, LogLevel.Debug, "Rejected an interaction request: {Reason}")]
    public static partial void SignatureRejected(ILogger logger, string reason);

    [LoggerMessage(5090, LogLevel.Information, "Interaction already claimed (a replay, a retry, or another instance's); not answering it twice")]
    public static partial void DuplicateInteraction(ILogger logger);

    [LoggerMessage(5091, LogLevel.Warning, "Could not claim the interaction in time; answering it anyway (it may be answered twice)")]
    public static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(5092, LogLevel.Information, "This instance runs shards {ShardIds} of {ShardCount}")]
    public static partial void ShardRangeConfigured(ILogger logger, string shardIds, int shardCount);

    private static readonly Func<ILogger, string, IDisposable?> InteractionScopeDefinition =
        LoggerMessage.DefineScope<string>("Interaction {InteractionId}");

    /// <summary>The correlation scope of one interaction's log lines.</summary>
    public static IDisposable? InteractionScope(ILogger logger, string interactionId) => InteractionScopeDefinition(logger, interactionId);

    [LoggerMessage(5041, LogLevel.Warning,
        "Rejected {Count} unauthenticated or unreadable interaction request(s) in the last {WindowSeconds:0} s ({Reasons})")]
    public static partial void RequestsRejected(ILogger logger, int count, double windowSeconds, string reasons);

    [LoggerMessage(5042, LogLevel.Warning, "The interaction queue is full ({Capacity} waiting); told the member to try again")]
    public static partial void InteractionQueueFull(ILogger logger, int capacity);

    [LoggerMessage(5043, LogLevel.Information, "The HTTP client went away before the answer to {Name} was written; the work goes on")]
    public static partial void HttpAnswerAbandoned(ILogger logger, string name);

    [LoggerMessage(5044, LogLevel.Error, "A queued interaction failed outside its handler")]
    public static partial void QueuedInteractionFailed(ILogger logger, Exception exception);

    [LoggerMessage(5045, LogLevel.Critical, "Discord rejected the bot token (401) while registering commands; fix MoodBot:Discord:Token and restart")]
    public static partial void TokenRejectedOnRegistration(ILogger logger);

    [LoggerMessage(5046, LogLevel.Debug, "Server settings not read within {BudgetMs:0} ms; deferring privately to be safe")]
    public static partial void DeferralKindGuessed(ILogger logger, double budgetMs);
}
