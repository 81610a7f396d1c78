namespace MoodBot.Discord.Gateway;

/// <summary>The <c>d</c> of Hello (op 10): how often to heartbeat.</summary>
/// <param name="HeartbeatInterval">Milliseconds; 0 when Discord left it out.</param>
internal sealed record HelloEvent(double HeartbeatInterval);
