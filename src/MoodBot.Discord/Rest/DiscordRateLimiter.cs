using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace MoodBot.Discord.Rest;

/// <summary>
/// Per-bucket and global rate-limit state shared by every request the process sends (a singleton: the message
/// handlers that use it are recycled by IHttpClientFactory, the limits are not).
/// </summary>
internal sealed class DiscordRateLimiter(TimeProvider time, ILogger<DiscordRateLimiter> logger)
{
    /// <summary>Discord allows 50 requests per second per bot before the global limit answers 429.</summary>
    internal const int GlobalPerSecond = 50;

    private readonly ConcurrentDictionary<string, string> _routeBuckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _globalLock = new();
    private DateTimeOffset _globalUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _windowCount;

    /// <summary>Waits until the global limit and the route's bucket allow one more request, and reserves it.</summary>
    public async Task AcquireAsync(DiscordRoute route, CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = TryAcquire(route);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            Log.RateLimitWait(logger, route.Template, wait.TotalMilliseconds);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan TryAcquire(DiscordRoute route)
    {
        var now = time.GetUtcNow();
        if (!route.GlobalExempt)
        {
            lock (_globalLock)
            {
                if (now < _globalUntil)
                {
                    return _globalUntil - now;
                }

                if (now - _windowStart >= TimeSpan.FromSeconds(1))
                {
                    _windowStart = now;
                    _windowCount = 0;
                }

                if (_windowCount >= GlobalPerSecond)
                {
                    return _windowStart + TimeSpan.FromSeconds(1) - now;
                }
            }
        }

        if (BucketFor(route) is { } bucket)
        {
            lock (bucket)
            {
                if (bucket.Remaining <= 0 && now < bucket.ResetAt)
                {
                    return bucket.ResetAt - now;
                }

                if (now >= bucket.ResetAt && bucket.Remaining <= 0)
                {
                    // The window has passed; the next response's headers tell us the real figures.
                    bucket.Remaining = 1;
                }

                bucket.Remaining--;
            }
        }

        if (!route.GlobalExempt)
        {
            lock (_globalLock)
            {
                _windowCount++;
            }
        }

        return TimeSpan.Zero;
    }

    /// <summary>Learns the bucket and its state from the X-RateLimit-* headers of a response.</summary>
    public void Update(DiscordRoute route, HttpResponseMessage response)
    {
        var now = time.GetUtcNow();
        var hash = Header(response, "X-RateLimit-Bucket");
        if (hash is null)
        {
            return;
        }

        _routeBuckets[route.Key] = hash;
        var bucket = _buckets.GetOrAdd(hash + "|" + route.Major, _ => new Bucket());
        var remaining = Header(response, "X-RateLimit-Remaining");
        var resetAfter = Header(response, "X-RateLimit-Reset-After");
        lock (bucket)
        {
            if (int.TryParse(remaining, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r))
            {
                bucket.Remaining = r;
            }

            if (double.TryParse(resetAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                bucket.ResetAt = now + TimeSpan.FromSeconds(seconds);
            }
        }
    }

    /// <summary>Records a 429: a global one stops every non-exempt route, a bucket one only its route.</summary>
    public void OnTooManyRequests(DiscordRoute route, TimeSpan retryAfter, bool global)
    {
        var until = time.GetUtcNow() + retryAfter;
        if (global)
        {
            lock (_globalLock)
            {
                if (until > _globalUntil)
                {
                    _globalUntil = until;
                }
            }

            if (!route.GlobalExempt)
            {
                return;
            }

            // An exempt route never waits for the global limit, so a global 429 on it (something upstream shedding load)
            // holds its own bucket: the request that got it still waits retry_after instead of coming straight back.
        }

        var hash = _routeBuckets.GetOrAdd(route.Key, k => "route:" + k);
        var bucket = _buckets.GetOrAdd(hash + "|" + route.Major, _ => new Bucket());
        lock (bucket)
        {
            bucket.Remaining = 0;
            if (until > bucket.ResetAt)
            {
                bucket.ResetAt = until;
            }
        }
    }

    private Bucket? BucketFor(DiscordRoute route) =>
        _routeBuckets.TryGetValue(route.Key, out var hash) && _buckets.TryGetValue(hash + "|" + route.Major, out var b) ? b : null;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private sealed class Bucket
    {
        public int Remaining { get; set; } = 1;

        public DateTimeOffset ResetAt { get; set; } = DateTimeOffset.MinValue;
    }
}
