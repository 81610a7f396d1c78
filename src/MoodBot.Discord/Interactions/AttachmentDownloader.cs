using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// Downloads a member's photo from Discord's CDN only. The URL comes from the interaction payload, so it is
/// treated as untrusted: origin allow-list (scheme + host + port), redirects followed by hand and only within the
/// list, declared and actual size capped, image content types only. Bytes stay in memory and are never logged.
/// </summary>
internal sealed class AttachmentDownloader(
    HttpClient http,
    IOptions<DiscordOptions> options,
    IOptionsMonitor<HttpStandardResilienceOptions> resilience,
    TimeProvider time)
{
    /// <summary>The name of this client's standard resilience options (typed-client name + "-standard").</summary>
    internal const string ResilienceName = nameof(AttachmentDownloader) + "-standard";

    private const int MaxRedirects = 3;

    private static readonly HashSet<string> ImageTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/jpeg", "image/png", "image/webp", "image/bmp", "image/gif",
    };

    /// <summary>Checks what the payload declares, before anything is deferred or downloaded.</summary>
    public Uri Validate(Attachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        var o = options.Value;
        if (!Uri.TryCreate(attachment.Url, UriKind.Absolute, out var url) || !IsAllowed(url))
        {
            throw Refused("I can only read photos uploaded to Discord itself — please attach the image directly.");
        }

        if (attachment.ContentType is { } type && !ImageTypes.Contains(MediaType(type)))
        {
            throw Refused(Strings.NotAPhoto);
        }

        var big = attachment.Size > o.MaxAttachmentBytes ||
                  Math.Max(attachment.Width ?? 0, attachment.Height ?? 0) > o.ResizeAbovePixels;
        if (big && ResizedProxyUrl(attachment) is { } resized)
        {
            // Discord's media proxy serves a downscaled copy: faster to fetch, and plenty for face detection.
            return resized;
        }

        if (attachment.Size > o.MaxAttachmentBytes)
        {
            throw Refused(ReplyCulture.Format(Strings.PhotoTooLarge, o.MaxAttachmentBytes / (1024 * 1024)));
        }

        return url;
    }

    public async Task<byte[]> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        // The pipeline's total timeout ends when the headers arrive; a CDN that then trickles the body would hold the
        // interaction until Discord drops it. One budget, the same length, covers headers and body.
        using var budget = new CancellationTokenSource(resilience.Get(ResilienceName).TotalRequestTimeout.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            return await DownloadWithinAsync(url, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or TimeoutRejectedException)
        {
            throw new InteractionProblemException(ProblemKind.Unavailable,
                Strings.DownloadTimeout);
        }
        catch (HttpRequestException)
        {
            throw new InteractionProblemException(ProblemKind.Unavailable,
                Strings.DownloadFailed);
        }
    }

    private async Task<byte[]> DownloadWithinAsync(Uri url, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxAttachmentBytes;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (IsRedirect(response.StatusCode))
            {
                var location = response.Headers.Location;
                if (hop >= MaxRedirects || location is null)
                {
                    throw Refused("I couldn't fetch that photo from Discord. Please try again.");
                }

                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                if (!IsAllowed(next))
                {
                    throw Refused("I can only read photos uploaded to Discord itself — please attach the image directly.");
                }

                url = next;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Refused("I couldn't fetch that photo from Discord (it may have expired). Please upload it again.");
            }

            var type = response.Content.Headers.ContentType?.MediaType;
            if (type is null || !ImageTypes.Contains(type))
            {
                throw Refused(Strings.NotAPhoto);
            }

            if (response.Content.Headers.ContentLength > max)
            {
                throw TooLarge(max);
            }

            return await ReadCappedAsync(response.Content, max, cancellationToken).ConfigureAwait(false);
        }
    }

    internal bool IsAllowed(Uri url) =>
        url.IsAbsoluteUri && string.IsNullOrEmpty(url.UserInfo) && options.Value.CdnHosts.Any(h =>
            string.Equals(h.Scheme, url.Scheme, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(h.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase) &&
            h.Port == url.Port);

    private Uri? ResizedProxyUrl(Attachment a)
    {
        if (!Uri.TryCreate(a.ProxyUrl, UriKind.Absolute, out var proxy) || !IsAllowed(proxy) || a.Width is not > 0 || a.Height is not > 0)
        {
            return null;
        }

        var limit = options.Value.ResizeAbovePixels;
        var scale = Math.Min(1.0, (double)limit / Math.Max(a.Width.Value, a.Height.Value));
        var w = Math.Max(1, (int)Math.Round(a.Width.Value * scale));
        var h = Math.Max(1, (int)Math.Round(a.Height.Value * scale));
        var query = proxy.Query.TrimStart('?');
        var extra = string.Create(CultureInfo.InvariantCulture, $"width={w}&height={h}");
        return new UriBuilder(proxy) { Query = query.Length == 0 ? extra : query + "&" + extra }.Uri;
    }

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, long max, CancellationToken ct)
    {
        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    throw TooLarge(max);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static string MediaType(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } m ? m : contentType;

    private static bool IsRedirect(HttpStatusCode status) => (int)status is >= 300 and < 400;

    private static InteractionProblemException TooLarge(long max) =>
        Refused(ReplyCulture.Format(Strings.PhotoTooLarge, max / (1024 * 1024)));

    private static InteractionProblemException Refused(string message) => new(ProblemKind.AttachmentRefused, message);
}
