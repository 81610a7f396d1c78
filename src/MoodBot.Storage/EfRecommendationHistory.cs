using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Storage;

/// <summary>Recommendation history per member; pruned to <see cref="StorageOptions.HistoryKeepPerUser"/> rows as it grows.</summary>
public sealed class EfRecommendationHistory(
    IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema, TimeProvider time, IOptions<StorageOptions> options) : IRecommendationHistory
{
    public async Task<IReadOnlySet<string>> RecentTrackIdsAsync(string userKey, int lastRecommendations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        if (lastRecommendations <= 0)
        {
            return new HashSet<string>();
        }

        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await db.RecommendationHistory.AsNoTracking()
            .Where(h => h.UserKey == userKey)
            .OrderByDescending(h => h.Id)
            .Take(lastRecommendations)
            .Select(h => h.TrackIds)
            .ToListAsync(cancellationToken);
        return rows.SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
    }

    public async Task AddAsync(string userKey, Emotion emotion, IReadOnlyList<string> trackIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        ArgumentNullException.ThrowIfNull(trackIds);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.RecommendationHistory.Add(new RecommendationRow
        {
            UserKey = userKey,
            Emotion = emotion.Name(),
            TrackIds = string.Join(',', trackIds),
            CreatedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync(cancellationToken);

        var keep = options.Value.HistoryKeepPerUser;
        var cutoff = await db.RecommendationHistory
            .Where(h => h.UserKey == userKey)
            .OrderByDescending(h => h.Id)
            .Skip(keep)
            .Select(h => (long?)h.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (cutoff is { } id)
        {
            await db.RecommendationHistory.Where(h => h.UserKey == userKey && h.Id <= id).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
