using System.Collections.Concurrent;

namespace MoodBot.Discord;

/// <summary>What <c>/readyz</c> needs to know about Discord: enabled, and (in Gateway mode) every shard's session up.</summary>
public sealed class DiscordStatus
{
    private readonly ConcurrentDictionary<int, ShardState> _shards = new();

    public bool Enabled { get; internal set; }

    public DiscordMode Mode { get; internal set; }

    /// <summary>Set when a shard hit a fatal close code (bad token, bad intents…): it will not reconnect by itself.</summary>
    public string? FatalError { get; internal set; }

    /// <summary>The fatal error is Discord refusing the bot token (401, or gateway close 4004): the host names the key.</summary>
    public bool TokenRejected { get; internal set; }

    public IReadOnlyDictionary<int, ShardState> Shards => _shards;

    /// <summary>HTTP mode is ready once enabled; Gateway mode once every planned shard has a live session.</summary>
    public bool IsReady => Enabled && FatalError is null &&
                           (Mode == DiscordMode.Http || (!_shards.IsEmpty && _shards.Values.All(s => s == ShardState.Ready)));

    internal void Set(int shard, ShardState state) => _shards[shard] = state;
}

public enum ShardState
{
    Connecting,
    Ready,
    Disconnected,
    Stopped,
}
