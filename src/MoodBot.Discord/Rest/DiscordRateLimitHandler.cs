using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MoodBot.Core;

namespace MoodBot.Discord.Rest;

/// <summary>
/// Waits for the route's bucket and the global limit before each request and retries 429s after <c>retry_after</c>.
/// Retrying a 429 is safe for any method: Discord rejected the request without acting on it.
/// </summary>
internal sealed class DiscordRateLimitHandler(DiscordRateLimiter limiter, MoodBotMetrics metrics, ILogger<DiscordRateLimitHandler> logger)
    : DelegatingHandler
{
    internal const int MaxRateLimitRetries = 4;

    /// <summary>A 429 asking for a longer wait than this is returned to the caller instead of held.</summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(DiscordRoute.OptionKey, out var route))
        {
            route = new DiscordRoute(request.Method.Method + " " + request.RequestUri?.AbsolutePath, string.Empty, GlobalExempt: false);
        }

        for (var attempt = 0; ; attempt++)
        {
            await limiter.AcquireAsync(route, cancellationToken).ConfigureAwait(false);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            limiter.Update(route, response);
            metrics.ExternalCall("discord", (int)response.StatusCode);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            var (retryAfter, global) = await ReadRetryAsync(response, cancellationToken).ConfigureAwait(false);
            var scope = response.Headers.TryGetValues("X-RateLimit-Scope", out var s) ? s.FirstOrDefault() : null;
            // Hold the route (or everything) before anything else: requests on other threads must not slip out while
            // we log, and whoever sees the log can rely on the limit already being in force.
            limiter.OnTooManyRequests(route, retryAfter, global);
            Log.RateLimited(logger, route.Template, retryAfter.TotalMilliseconds, global, scope ?? "user");
            if (attempt >= MaxRateLimitRetries || retryAfter > MaxWait)
            {
                return response;
            }

            response.Dispose();
            // The limiter holds this route (or everything, when global) until retry_after has passed.
        }
    }

    private static async Task<(TimeSpan RetryAfter, bool Global)> ReadRetryAsync(HttpResponseMessage response, CancellationToken ct)
    {
        double? seconds = null;
        var global = response.Headers.TryGetValues("X-RateLimit-Global", out var g) &&
                     string.Equals(g.FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);
        try
        {
            await response.Content.LoadIntoBufferAsync(ct).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("retry_after", out var ra) && ra.ValueKind == JsonValueKind.Number &&
                ra.TryGetDouble(out var v))
            {
                seconds = v;
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("global", out var gl) && gl.ValueKind == JsonValueKind.True)
            {
                global = true;
            }
        }
        catch (JsonException)
        {
            // Cloudflare's 429 pages are HTML; fall back to the Retry-After header.
        }

        if (seconds is null && response.Headers.TryGetValues("Retry-After", out var h) &&
            double.TryParse(h.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var hv))
        {
            seconds = hv;
        }

        return (TimeSpan.FromSeconds(Math.Clamp(seconds ?? 1, 0, 3600)), global);
    }
}
