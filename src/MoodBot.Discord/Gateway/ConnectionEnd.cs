namespace MoodBot.Discord.Gateway;

/// <summary>What ended one WebSocket connection, and so what the next one must do.</summary>
internal enum ConnectionEnd
{
    /// <summary>Reconnect to resume_gateway_url and Resume with the last sequence.</summary>
    Resume,

    /// <summary>The session is gone: reconnect to the gateway URL and Identify anew.</summary>
    Reidentify,

    /// <summary>A close code Discord documents as not reconnectable (bad token, shard or intents).</summary>
    Fatal,

    Stopped,
}
