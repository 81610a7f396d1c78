using Microsoft.EntityFrameworkCore;
using MoodBot.Core;

namespace MoodBot.Storage;

/// <summary>
/// Claims are one indexed INSERT … ON CONFLICT DO NOTHING: the primary key decides, in one round trip, which instance
/// answers. It runs before the deferral, inside Discord's 3 s budget, so it does nothing else (pruning is
/// <see cref="StorageJanitor"/>'s job).
/// </summary>
public sealed class EfInteractionClaims(IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema, TimeProvider time) : IInteractionClaims
{
    /// <summary>
    /// How long a claim is kept. Discord's interaction tokens live 15 minutes, so nothing older can be answered (or
    /// redelivered usefully); an hour leaves room for clock skew between instances.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    public async Task<bool> TryClaimAsync(string interactionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(interactionId);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO interaction_claims (interaction_id, claimed_at_ms) VALUES ({interactionId}, {now}) ON CONFLICT (interaction_id) DO NOTHING",
            cancellationToken);
        return inserted == 1;
    }
}
