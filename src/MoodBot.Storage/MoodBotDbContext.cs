using Microsoft.EntityFrameworkCore;

namespace MoodBot.Storage;

/// <summary>A catalog track. Artists and genres are ';'-joined lists (the separator the public datasets use).</summary>
public sealed class CatalogTrackRow
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public required string Artists { get; set; }

    public required string Genres { get; set; }

    public int Popularity { get; set; }

    public double Valence { get; set; }

    public double Energy { get; set; }

    public double? Danceability { get; set; }

    public double? Acousticness { get; set; }

    public double? Tempo { get; set; }
}

/// <summary>One recommendation a member received (track ids ','-joined), for the no-repeat rule.</summary>
public sealed class RecommendationRow
{
    public long Id { get; set; }

    public required string UserKey { get; set; }

    public required string Emotion { get; set; }

    public required string TrackIds { get; set; }

    /// <summary>Unix milliseconds: comparable and sortable the same way on SQLite and PostgreSQL.</summary>
    public long CreatedAtMs { get; set; }
}

/// <summary>A linked Spotify account; the refresh token is ciphertext produced by the Spotify layer.</summary>
public sealed class LinkedAccountRow
{
    public required string DiscordUserId { get; set; }

    public required string ProtectedRefreshToken { get; set; }

    public long LinkedAtMs { get; set; }

    /// <summary>The scopes Spotify granted, space-separated; null for links made before MoodBot recorded them.</summary>
    public string? Scopes { get; set; }
}

/// <summary>A pending OAuth authorisation (the PKCE verifier is ciphertext).</summary>
public sealed class OAuthStateRow
{
    public required string State { get; set; }

    public required string DiscordUserId { get; set; }

    public required string ProtectedCodeVerifier { get; set; }

    public long ExpiresAtMs { get; set; }
}

/// <summary>Per-server preferences set by its admins.</summary>
public sealed class GuildSettingsRow
{
    public required string GuildId { get; set; }

    public string? DefaultMode { get; set; }

    public string? DefaultGenre { get; set; }

    public int? TrackCount { get; set; }

    /// <summary>Seconds between two recommendations per member in this server; null: the bot's default.</summary>
    public int? CooldownSeconds { get; set; }

    /// <summary>Whether replies are public when no public channels are listed; null: public.</summary>
    public bool? RepliesPublic { get; set; }

    /// <summary>','-joined channel ids where replies are public (private everywhere else); null or empty: none listed.</summary>
    public string? PublicChannelIds { get; set; }

    public long UpdatedAtMs { get; set; }
}

/// <summary>
/// An interaction some instance has taken on. The primary key is the whole point: of two instances inserting the same id,
/// exactly one succeeds, so a redelivered interaction is answered once.
/// </summary>
public sealed class InteractionClaimRow
{
    public required string InteractionId { get; set; }

    public long ClaimedAtMs { get; set; }
}

/// <summary>When a member may next run an expensive command, shared by every instance on this database.</summary>
public sealed class MemberCooldownRow
{
    public required string MemberId { get; set; }

    public long UntilMs { get; set; }
}

/// <summary>
/// The bot's database. Names are snake_case so hand-written SQL (bulk upsert, delete-returning) reads the same on
/// SQLite and PostgreSQL without quoting. Abstract: each provider has its own subclass because each has its own
/// migration set (EF's "multiple context types" pattern), so a context can never run the other provider's migrations.
/// </summary>
public abstract class MoodBotDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<CatalogTrackRow> CatalogTracks => Set<CatalogTrackRow>();

    public DbSet<RecommendationRow> RecommendationHistory => Set<RecommendationRow>();

    public DbSet<LinkedAccountRow> LinkedAccounts => Set<LinkedAccountRow>();

    public DbSet<OAuthStateRow> OAuthStates => Set<OAuthStateRow>();

    public DbSet<GuildSettingsRow> GuildSettings => Set<GuildSettingsRow>();

    public DbSet<InteractionClaimRow> InteractionClaims => Set<InteractionClaimRow>();

    public DbSet<MemberCooldownRow> MemberCooldowns => Set<MemberCooldownRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<CatalogTrackRow>(t =>
        {
            t.ToTable("catalog_tracks");
            t.HasKey(x => x.Id);
            t.Property(x => x.Id).HasColumnName("id").HasMaxLength(22);
            t.Property(x => x.Name).HasColumnName("name");
            t.Property(x => x.Artists).HasColumnName("artists");
            t.Property(x => x.Genres).HasColumnName("genres");
            t.Property(x => x.Popularity).HasColumnName("popularity");
            t.Property(x => x.Valence).HasColumnName("valence");
            t.Property(x => x.Energy).HasColumnName("energy");
            t.Property(x => x.Danceability).HasColumnName("danceability");
            t.Property(x => x.Acousticness).HasColumnName("acousticness");
            t.Property(x => x.Tempo).HasColumnName("tempo");
        });
        modelBuilder.Entity<RecommendationRow>(t =>
        {
            t.ToTable("recommendation_history");
            t.HasKey(x => x.Id);
            t.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
            t.Property(x => x.UserKey).HasColumnName("user_key").HasMaxLength(100);
            t.Property(x => x.Emotion).HasColumnName("emotion").HasMaxLength(16);
            t.Property(x => x.TrackIds).HasColumnName("track_ids");
            t.Property(x => x.CreatedAtMs).HasColumnName("created_at_ms");
            t.HasIndex(x => new { x.UserKey, x.Id }).HasDatabaseName("ix_recommendation_history_user");
        });
        modelBuilder.Entity<LinkedAccountRow>(t =>
        {
            t.ToTable("linked_accounts");
            t.HasKey(x => x.DiscordUserId);
            t.Property(x => x.DiscordUserId).HasColumnName("discord_user_id").HasMaxLength(32);
            t.Property(x => x.ProtectedRefreshToken).HasColumnName("protected_refresh_token");
            t.Property(x => x.LinkedAtMs).HasColumnName("linked_at_ms");
            t.Property(x => x.Scopes).HasColumnName("scopes").HasMaxLength(1000);
        });
        modelBuilder.Entity<OAuthStateRow>(t =>
        {
            t.ToTable("oauth_states");
            t.HasKey(x => x.State);
            t.Property(x => x.State).HasColumnName("state").HasMaxLength(128);
            t.Property(x => x.DiscordUserId).HasColumnName("discord_user_id").HasMaxLength(32);
            t.Property(x => x.ProtectedCodeVerifier).HasColumnName("protected_code_verifier");
            t.Property(x => x.ExpiresAtMs).HasColumnName("expires_at_ms");
            t.HasIndex(x => x.ExpiresAtMs).HasDatabaseName("ix_oauth_states_expires");
        });
        modelBuilder.Entity<GuildSettingsRow>(t =>
        {
            t.ToTable("guild_settings");
            t.HasKey(x => x.GuildId);
            t.Property(x => x.GuildId).HasColumnName("guild_id").HasMaxLength(32);
            t.Property(x => x.DefaultMode).HasColumnName("default_mode").HasMaxLength(16);
            t.Property(x => x.DefaultGenre).HasColumnName("default_genre").HasMaxLength(100);
            t.Property(x => x.TrackCount).HasColumnName("track_count");
            t.Property(x => x.CooldownSeconds).HasColumnName("cooldown_seconds");
            t.Property(x => x.RepliesPublic).HasColumnName("replies_public");
            t.Property(x => x.PublicChannelIds).HasColumnName("public_channel_ids");
            t.Property(x => x.UpdatedAtMs).HasColumnName("updated_at_ms");
        });
        modelBuilder.Entity<InteractionClaimRow>(t =>
        {
            t.ToTable("interaction_claims");
            t.HasKey(x => x.InteractionId);
            t.Property(x => x.InteractionId).HasColumnName("interaction_id").HasMaxLength(32);
            t.Property(x => x.ClaimedAtMs).HasColumnName("claimed_at_ms");
            t.HasIndex(x => x.ClaimedAtMs).HasDatabaseName("ix_interaction_claims_claimed_at");
        });
        modelBuilder.Entity<MemberCooldownRow>(t =>
        {
            t.ToTable("member_cooldowns");
            t.HasKey(x => x.MemberId);
            t.Property(x => x.MemberId).HasColumnName("member_id").HasMaxLength(32);
            t.Property(x => x.UntilMs).HasColumnName("until_ms");
            t.HasIndex(x => x.UntilMs).HasDatabaseName("ix_member_cooldowns_until");
        });
    }
}
