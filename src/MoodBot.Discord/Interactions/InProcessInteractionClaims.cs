using System.Collections.Concurrent;
using MoodBot.Core;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// Interaction claims in this process only: catches an interaction replayed to this instance (a gateway RESUME, a retried
/// POST). Across instances the host registers the database's <see cref="IInteractionClaims"/> instead.
/// </summary>
internal sealed class InProcessInteractionClaims(TimeProvider time) : IInteractionClaims
{
    /// <summary>Discord's interaction tokens live 15 minutes; nothing older can be answered, so nothing older is kept.</summary>
    internal static readonly TimeSpan Retention = TimeSpan.FromMinutes(15);

    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _claimed = new(StringComparer.Ordinal);

    public Task<bool> TryClaimAsync(string interactionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var won = _claimed.TryAdd(interactionId, now);
        if (won && _claimed.Count > PruneAbove)
        {
            foreach (var (id, at) in _claimed)
            {
                if (now - at > Retention)
                {
                    _claimed.TryRemove(KeyValuePair.Create(id, at));
                }
            }
        }

        return Task.FromResult(won);
    }
}
