using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MoodBot.Spotify;

public static class SpotifyEndpointRouteBuilderExtensions
{
    public const string CallbackPath = "/spotify/callback";

    /// <summary>
    /// Maps <c>GET /spotify/callback</c>, where Spotify sends members after they approve MoodBot. The host calls this
    /// on its Kestrel listener; the public URL that reaches it is <c>MoodBot:Spotify:RedirectUri</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSpotifyCallback(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(CallbackPath, HandleAsync).ExcludeFromDescription();
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var linking = context.RequestServices.GetRequiredService<SpotifyLinking>();
        var q = context.Request.Query;
        var query = new SpotifyCallbackQuery(
            Single(q, "code"), Single(q, "state"), Single(q, "error"),
            HasDuplicates: q["code"].Count > 1 || q["state"].Count > 1 || q["error"].Count > 1);
        var outcome = await linking.HandleCallbackAsync(query, context.RequestAborted);

        var response = context.Response;
        response.StatusCode = SpotifyCallbackPage.StatusCode(outcome.Status);
        response.ContentType = "text/html; charset=utf-8";
        // The URL carried a one-time code: keep the page out of caches and the code out of Referer headers.
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
        // frame-ancestors: no other site may frame the page (clickjacking); it has nothing to be embedded for.
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        await response.WriteAsync(SpotifyCallbackPage.Render(outcome.Status), context.RequestAborted);
    }

    private static string? Single(IQueryCollection query, string key) => query[key].Count == 1 ? query[key][0] : null;
}
