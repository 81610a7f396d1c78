using System.Collections.Concurrent;

namespace MoodBot.Discord.Gateway;

/// <summary>
/// Enforces Discord's identify limit: within each rate-limit key (<c>shard_id % max_concurrency</c>) one Identify per
/// 5 seconds (docs: events/gateway, "Sharding for Large Bots"). Going faster earns an Invalid Session.
/// </summary>
internal sealed class IdentifyGate(TimeProvider time)
{
    internal static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<int, Slot> _slots = new();

    public async Task WaitAsync(int shardId, int maxConcurrency, CancellationToken cancellationToken)
    {
        var key = shardId % Math.Max(1, maxConcurrency);
        var slot = _slots.GetOrAdd(key, _ => new Slot());
        await slot.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wait = slot.Last + Window - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            slot.Last = time.GetUtcNow();
        }
        finally
        {
            slot.Lock.Release();
        }
    }

    private sealed class Slot
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public DateTimeOffset Last { get; set; } = DateTimeOffset.MinValue;
    }
}
