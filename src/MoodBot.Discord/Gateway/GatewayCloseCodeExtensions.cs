namespace MoodBot.Discord.Gateway;

/// <summary>What each close code means for the next connection (docs: the "Reconnect" column of the close-code table).</summary>
internal static class GatewayCloseCodeExtensions
{
    /// <summary>Why reconnecting cannot help, for the codes Discord documents as not reconnectable; otherwise null.</summary>
    public static string? FatalReason(this GatewayCloseCode code) => code switch
    {
        GatewayCloseCode.AuthenticationFailed => "authentication failed: the bot token is wrong or was reset",
        GatewayCloseCode.InvalidShard => "invalid shard: ShardId/ShardCount do not fit",
        GatewayCloseCode.ShardingRequired => "sharding required: set ShardCount (or leave ShardId/ShardCount out for automatic sharding)",
        GatewayCloseCode.InvalidApiVersion => "invalid API version",
        GatewayCloseCode.InvalidIntents => "invalid intents",
        GatewayCloseCode.DisallowedIntents => "disallowed intents: enable them in the developer portal or stop requesting them",
        _ => null,
    };

    /// <summary>The sequence is out of date or the session timed out: a Resume would fail, so Identify instead.</summary>
    public static bool EndsSession(this GatewayCloseCode code) =>
        code is GatewayCloseCode.InvalidSequence or GatewayCloseCode.SessionTimedOut;
}
