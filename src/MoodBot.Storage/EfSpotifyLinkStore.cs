using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using MoodBot.Core;

namespace MoodBot.Storage;

/// <summary>Linked accounts and pending OAuth states. Values arrive encrypted; this layer never sees plaintext tokens.</summary>
public sealed class EfSpotifyLinkStore(IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema, TimeProvider time) : ISpotifyLinkStore
{
    /// <summary>How long an expired state stays recognisable (so its page says "expired") before a sweep removes it.</summary>
    public static readonly TimeSpan ExpiredStateKept = TimeSpan.FromDays(1);

    public async Task SaveStateAsync(OAuthState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);

        // Abandoned authorisations would pile up; each new one sweeps those expired for a while. Not at once: a member
        // opening an expired link must read "expired", which needs the row, not "already used" for a state never seen.
        var cutoff = (time.GetUtcNow() - ExpiredStateKept).ToUnixTimeMilliseconds();
        await db.OAuthStates.Where(s => s.ExpiresAtMs < cutoff).ExecuteDeleteAsync(cancellationToken);
        db.OAuthStates.Add(new OAuthStateRow
        {
            State = state.State,
            DiscordUserId = state.DiscordUserId,
            ProtectedCodeVerifier = state.ProtectedCodeVerifier,
            ExpiresAtMs = state.ExpiresAt.ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<OAuthState?> TakeStateAsync(string state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // One statement deletes and returns: of two instances redeeming the same state, exactly one gets the row.
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = "DELETE FROM oauth_states WHERE state = @state RETURNING discord_user_id, protected_code_verifier, expires_at_ms";
            AddParameter(cmd, "@state", state);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            var expires = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2));
            // Returned even when expired: the caller tells "expired" from "already used" by ExpiresAt.
            return new OAuthState(state, reader.GetString(0), reader.GetString(1), expires);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task SaveAccountAsync(LinkedAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);

        // An upsert, not read-then-write: two instances finishing a relink at once must not collide on the key.
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO linked_accounts (discord_user_id, protected_refresh_token, linked_at_ms, scopes)
            VALUES ({account.DiscordUserId}, {account.ProtectedRefreshToken}, {account.LinkedAt.ToUnixTimeMilliseconds()}, {account.Scopes})
            ON CONFLICT (discord_user_id) DO UPDATE SET protected_refresh_token = excluded.protected_refresh_token,
                linked_at_ms = excluded.linked_at_ms, scopes = excluded.scopes
            """,
            cancellationToken);
    }

    public async Task<LinkedAccount?> GetAccountAsync(string discordUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discordUserId);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var row = await db.LinkedAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.DiscordUserId == discordUserId, cancellationToken);
        return row is null
            ? null
            : new LinkedAccount(row.DiscordUserId, row.ProtectedRefreshToken, DateTimeOffset.FromUnixTimeMilliseconds(row.LinkedAtMs),
                row.Scopes);
    }

    public async Task<bool> DeleteAccountAsync(string discordUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discordUserId);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.LinkedAccounts.Where(a => a.DiscordUserId == discordUserId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
