namespace MoodBot.Discord.Gateway;

/// <summary>The <c>op</c> of a gateway payload (docs: topics/opcodes-and-status-codes, "Gateway Opcodes").</summary>
internal enum GatewayOpcode
{
    /// <summary>Receive: an event (<c>t</c> names it, <c>s</c> numbers it).</summary>
    Dispatch = 0,

    /// <summary>Send: keep the connection alive; receive: the gateway wants a beat right now.</summary>
    Heartbeat = 1,

    /// <summary>Send: start a new session.</summary>
    Identify = 2,

    PresenceUpdate = 3,
    VoiceStateUpdate = 4,

    /// <summary>Send: continue a dropped session and replay what was missed.</summary>
    Resume = 6,

    /// <summary>Receive: reconnect and resume.</summary>
    Reconnect = 7,

    RequestGuildMembers = 8,

    /// <summary>Receive: the session is invalid; <c>d</c> says whether it may be resumed.</summary>
    InvalidSession = 9,

    /// <summary>Receive: the first payload of a connection, carrying the heartbeat interval.</summary>
    Hello = 10,

    /// <summary>Receive: a heartbeat was acknowledged.</summary>
    HeartbeatAck = 11,
}
