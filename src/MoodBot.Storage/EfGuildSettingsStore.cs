using Microsoft.EntityFrameworkCore;
using MoodBot.Core;

namespace MoodBot.Storage;

/// <summary>
/// Server settings in <c>guild_settings</c>. Read on every recommendation (one primary-key lookup), never cached, so a
/// change made on one instance applies on all of them at once.
/// </summary>
public sealed class EfGuildSettingsStore(IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema, TimeProvider time) : IGuildSettingsStore
{
    public async Task<GuildSettings?> GetAsync(string guildId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(guildId);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var row = await db.GuildSettings.AsNoTracking().FirstOrDefaultAsync(g => g.GuildId == guildId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        RecommendationMode? mode = row.DefaultMode switch
        {
            "match" => RecommendationMode.Match,
            "lift" => RecommendationMode.Lift,
            _ => null,
        };
        var channels = string.IsNullOrEmpty(row.PublicChannelIds) ? null : row.PublicChannelIds.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return new GuildSettings(row.GuildId, row.CooldownSeconds, mode, row.TrackCount, row.RepliesPublic, channels);
    }

    /// <summary>One upsert (same syntax on SQLite and PostgreSQL), so two admins saving at once cannot hit a duplicate key.</summary>
    public async Task SaveAsync(GuildSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.GuildId);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        string? mode = settings.DefaultMode switch
        {
            RecommendationMode.Lift => "lift",
            RecommendationMode.Match => "match",
            _ => null,
        };
        string? channels = settings.Channels.Count == 0 ? null : string.Join(',', settings.Channels);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO guild_settings (guild_id, default_mode, track_count, cooldown_seconds, replies_public, public_channel_ids, updated_at_ms)
            VALUES ({settings.GuildId}, {mode}, {settings.DefaultCount}, {settings.CooldownSeconds}, {settings.RepliesPublic}, {channels}, {now})
            ON CONFLICT (guild_id) DO UPDATE SET default_mode = excluded.default_mode, track_count = excluded.track_count,
                cooldown_seconds = excluded.cooldown_seconds, replies_public = excluded.replies_public,
                public_channel_ids = excluded.public_channel_ids, updated_at_ms = excluded.updated_at_ms
            """, cancellationToken);
    }
}
