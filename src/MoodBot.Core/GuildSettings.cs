namespace MoodBot.Core;

/// <summary>
/// One server's MoodBot settings, set by its admins with <c>/moodbot-settings</c>. Null members mean "the bot's
/// default". Replies are public only in <see cref="PublicChannelIds"/> when any are listed; otherwise
/// <see cref="RepliesPublic"/> decides (public when unset).
/// </summary>
public sealed record GuildSettings(
    string GuildId,
    int? CooldownSeconds = null,
    RecommendationMode? DefaultMode = null,
    int? DefaultCount = null,
    bool? RepliesPublic = null,
    IReadOnlyList<string>? PublicChannelIds = null)
{
    public const int MaxCooldownSeconds = 3600;

    public const int MaxPublicChannels = 25;

    public IReadOnlyList<string> Channels => PublicChannelIds ?? [];

    /// <summary>Whether a reply in <paramref name="channelId"/> is shown to everyone.</summary>
    public bool IsPublicIn(string? channelId) =>
        Channels.Count > 0 ? channelId is not null && Channels.Contains(channelId, StringComparer.Ordinal) : RepliesPublic != false;
}

/// <summary>Server settings, shared by every instance on one database.</summary>
public interface IGuildSettingsStore
{
    Task<GuildSettings?> GetAsync(string guildId, CancellationToken cancellationToken);

    Task SaveAsync(GuildSettings settings, CancellationToken cancellationToken);
}
