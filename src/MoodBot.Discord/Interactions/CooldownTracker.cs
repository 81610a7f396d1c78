using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// Per-member cooldown for the expensive command. In-process: with several instances a member could, at worst, get
/// one extra run per instance, which is acceptable for spam protection.
/// </summary>
internal sealed class CooldownTracker(IOptions<DiscordOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    /// <summary>Starts a cooldown for the member, or returns false and how long they still have to wait.</summary>
    public bool TryStart(string userId, out TimeSpan remaining)
    {
        var cooldown = TimeSpan.FromSeconds(options.Value.CooldownSeconds);
        var now = time.GetUtcNow();
        remaining = TimeSpan.Zero;
        if (cooldown <= TimeSpan.Zero)
        {
            return true;
        }

        while (true)
        {
            if (_until.TryGetValue(userId, out var until))
            {
                if (until > now)
                {
                    remaining = until - now;
                    return false;
                }

                if (_until.TryUpdate(userId, now + cooldown, until))
                {
                    return true;
                }
            }
            else if (_until.TryAdd(userId, now + cooldown))
            {
                if (_until.Count > 10_000)
                {
                    Prune(now);
                }

                return true;
            }
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, until) in _until)
        {
            if (until <= now)
            {
                _until.TryRemove(KeyValuePair.Create(key, until));
            }
        }
    }
}
