namespace MoodBot.Discord.Gateway;

/// <summary>The gateway's own WebSocket close codes (docs: topics/opcodes-and-status-codes, "Gateway Close Event Codes").</summary>
internal enum GatewayCloseCode
{
    UnknownError = 4000,
    UnknownOpcode = 4001,
    DecodeError = 4002,
    NotAuthenticated = 4003,
    AuthenticationFailed = 4004,
    AlreadyAuthenticated = 4005,
    InvalidSequence = 4007,
    RateLimited = 4008,
    SessionTimedOut = 4009,
    InvalidShard = 4010,
    ShardingRequired = 4011,
    InvalidApiVersion = 4012,
    InvalidIntents = 4013,
    DisallowedIntents = 4014,
}
