using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Rest;

namespace MoodBot.Discord;

public static class DiscordEndpointRouteBuilderExtensions
{
    /// <summary>Interaction payloads are small; anything bigger is not from Discord.</summary>
    private const int MaxBodyBytes = 256 * 1024;

    /// <summary>Discord waits 3 s for the HTTP answer; past this we defer on the handler's behalf.</summary>
    internal static readonly TimeSpan AnswerBudget = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// Maps <c>POST /interactions</c> for HTTP interactions mode (answers 404 unless <c>MoodBot:Discord:Mode</c> is Http
    /// and a token is set). Set the same URL as "Interactions Endpoint URL" in the developer portal.
    /// </summary>
    public static IEndpointConventionBuilder MapDiscordInteractions(this IEndpointRouteBuilder endpoints, string pattern = "/interactions")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPost(pattern, HandleAsync).ExcludeFromDescription();
    }

    private static async Task HandleAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<DiscordOptions>>().Value;
        if (!options.Enabled || options.Mode != DiscordMode.Http || !InteractionSignature.TryParsePublicKey(options.PublicKey, out var key))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DiscordEndpointRouteBuilderExtensions));
        var ct = http.RequestAborted;
        var body = await ReadBodyAsync(http.Request, ct).ConfigureAwait(false);
        var time = services.GetRequiredService<TimeProvider>();
        var problem = body is null
            ? "body too large"
            : InteractionSignature.Verify(key!, http.Request.Headers["X-Signature-Ed25519"], http.Request.Headers["X-Signature-Timestamp"], body,
                time.GetUtcNow());
        if (problem is not null)
        {
            Log.SignatureRejected(logger, problem);
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var interaction = InteractionParser.Parse(body);
        if (interaction is null)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (interaction.Type == InteractionType.Ping)
        {
            await WriteAsync(http, new InteractionResponse((int)InteractionCallbackType.Pong), ct).ConfigureAwait(false);
            return;
        }

        var responder = new HttpInteractionResponder();
        services.GetRequiredService<InteractionDispatcher>().Dispatch(interaction, responder);
        InteractionResponse? response;
        try
        {
            response = await responder.Response.WaitAsync(AnswerBudget, time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The handler is slow to give its first answer; defer for it so Discord doesn't show "interaction failed".
            var fallback = new InteractionResponse(interaction.Type == InteractionType.MessageComponent
                ? (int)InteractionCallbackType.DeferredUpdateMessage
                : (int)InteractionCallbackType.DeferredChannelMessageWithSource);
            response = responder.TryFallback(fallback) ? fallback : await responder.Response.ConfigureAwait(false);
        }

        if (response is null)
        {
            // A duplicate delivery: another instance (or an earlier request) claimed this interaction and answers it.
            http.Response.StatusCode = StatusCodes.Status409Conflict;
            return;
        }

        try
        {
            await WriteAsync(http, response, ct).ConfigureAwait(false);
        }
        finally
        {
            responder.Written();
        }
    }

    private static async Task WriteAsync(HttpContext http, InteractionResponse response, CancellationToken ct)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        await http.Response.WriteAsJsonAsync(response, DiscordJson.Options, ct).ConfigureAwait(false);
        await http.Response.CompleteAsync().ConfigureAwait(false);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
