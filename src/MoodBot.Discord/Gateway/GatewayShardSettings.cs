namespace MoodBot.Discord.Gateway;

/// <summary>What one shard connects with.</summary>
/// <param name="MaxConcurrency">Discord's <c>max_concurrency</c>: how many shards may identify in the same 5 s.</param>
/// <param name="GatewayUrl">From <c>GET /gateway/bot</c>; new sessions start here, resumes go to READY's URL.</param>
/// <param name="ClientName">The library name sent in Identify's properties.</param>
internal sealed record GatewayShardSettings(int ShardId, int ShardCount, int MaxConcurrency, Uri GatewayUrl, string Token, string ClientName)
{
    /// <summary>Without the token: a record would print every member, and this one may end up in a log line.</summary>
    public override string ToString() => $"shard {ShardId} of {ShardCount}";
}
