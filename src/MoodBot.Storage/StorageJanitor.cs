using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MoodBot.Storage;

/// <summary>
/// Deletes interaction claims past <see cref="EfInteractionClaims.Retention"/> and cooldowns that have run out, every
/// <see cref="Interval"/>, off the interaction path. Every instance runs one; the deletes are idempotent.
/// </summary>
public sealed class StorageJanitor(IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema, TimeProvider time, ILogger<StorageJanitor> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    /// <summary>One pass; returns the rows deleted (claims, cooldowns).</summary>
    public async Task<(int Claims, int Cooldowns)> PruneAsync(CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var claimCutoff = now - (long)EfInteractionClaims.Retention.TotalMilliseconds;
        var claims = await db.InteractionClaims.Where(c => c.ClaimedAtMs < claimCutoff).ExecuteDeleteAsync(cancellationToken);
        var cooldowns = await db.MemberCooldowns.Where(c => c.UntilMs <= now).ExecuteDeleteAsync(cancellationToken);
        Log.Pruned(logger, claims, cooldowns);
        return (claims, cooldowns);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database blip costs nothing here: the rows wait for the next pass.
                Log.PruneFailed(logger, ex, Interval.TotalMinutes);
            }
        }
    }
}
