using Microsoft.EntityFrameworkCore;
using MoodBot.Core;

namespace MoodBot.Storage;

/// <summary>
/// "Forget me" in one transaction: the member's recommendation history, Spotify link, pending authorisations and
/// cooldown. The database is shared by every instance, so it is gone for all of them at once.
/// </summary>
public sealed class EfMemberDataEraser(IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema) : IMemberDataEraser
{
    public async Task<MemberDataDeletion> ForgetAsync(string memberId, string historyUserKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        ArgumentException.ThrowIfNullOrEmpty(historyUserKey);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var history = await db.RecommendationHistory.Where(h => h.UserKey == historyUserKey).ExecuteDeleteAsync(cancellationToken);
        var link = await db.LinkedAccounts.Where(a => a.DiscordUserId == memberId).ExecuteDeleteAsync(cancellationToken);
        var pending = await db.OAuthStates.Where(s => s.DiscordUserId == memberId).ExecuteDeleteAsync(cancellationToken);
        var cooldown = await db.MemberCooldowns.Where(c => c.MemberId == memberId).ExecuteDeleteAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new MemberDataDeletion(history, link > 0, pending, cooldown);
    }
}
