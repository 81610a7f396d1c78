namespace MoodBot.Discord.Gateway;

/// <summary>The parts of the READY dispatch a later Resume needs (the rest of READY is skipped).</summary>
internal sealed record ReadyEvent(string? SessionId, string? ResumeGatewayUrl);
