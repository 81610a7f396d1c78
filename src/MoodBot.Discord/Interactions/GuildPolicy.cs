using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MoodBot.Core;

namespace MoodBot.Discord.Interactions;

/// <summary>The server settings that apply to an interaction, read fresh each time so every instance sees a change at once.</summary>
internal sealed class GuildPolicy(IGuildSettingsStore store, TimeProvider time, ILogger<GuildPolicy> logger)
{
    /// <summary>
    /// A settings read shares Discord's 3-second window with the claim and the cooldown; if the database is this slow,
    /// the bot's defaults are the better answer than none.
    /// </summary>
    internal static readonly TimeSpan ReadBudget = TimeSpan.FromSeconds(1);

    /// <summary>The settings of the server the interaction came from; null in DMs or when none were set.</summary>
    public async Task<GuildSettings?> ForAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        if (string.IsNullOrEmpty(interaction.GuildId))
        {
            return null;
        }

        using var budget = new CancellationTokenSource(ReadBudget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            return await store.GetAsync(interaction.GuildId, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.GuildSettingsUnavailable(logger, ex);
            return null;
        }
    }

    /// <summary>Public unless the server's settings make this channel private (DMs are always the member's own).</summary>
    public static bool IsPublic(GuildSettings? settings, Interaction interaction) =>
        settings is null || settings.IsPublicIn(interaction.ChannelId);
}

/// <summary>Server settings in this process only (the bot without storage); AddStorage registers the shared table.</summary>
internal sealed class InProcessGuildSettings : IGuildSettingsStore
{
    private readonly ConcurrentDictionary<string, GuildSettings> _settings = new(StringComparer.Ordinal);

    public Task<GuildSettings?> GetAsync(string guildId, CancellationToken cancellationToken) =>
        Task.FromResult(_settings.TryGetValue(guildId, out var s) ? s : null);

    public Task SaveAsync(GuildSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings[settings.GuildId] = settings;
        return Task.CompletedTask;
    }
}
