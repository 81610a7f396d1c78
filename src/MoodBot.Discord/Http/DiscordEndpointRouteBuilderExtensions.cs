using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Resources;
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

        var time = services.GetRequiredService<TimeProvider>();
        var received = time.GetTimestamp();
        var rejected = services.GetRequiredService<RejectedRequestLog>();
        var ct = http.RequestAborted;
        var (body, unreadable) = await ReadBodyAsync(http.Request, ct).ConfigureAwait(false);
        var problem = unreadable ?? InteractionSignature.Verify(key!, http.Request.Headers["X-Signature-Ed25519"],
            http.Request.Headers["X-Signature-Timestamp"], body, time.GetUtcNow());
        if (problem is not null)
        {
            // Unauthenticated: counted, one line a minute (RejectedRequestLog), never a warning or stack trace each.
            rejected.Record(problem);
            if (!ct.IsCancellationRequested)
            {
                http.Response.StatusCode = unreadable is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
            }

            return;
        }

        var interaction = InteractionParser.Parse(body);
        if (interaction is null)
        {
            rejected.Record("signed but not an interaction");
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (interaction.Type == InteractionType.Ping)
        {
            await TryWriteAsync(http, new InteractionResponse((int)InteractionCallbackType.Pong), ct).ConfigureAwait(false);
            return;
        }

        var dispatcher = services.GetRequiredService<InteractionDispatcher>();
        var plan = await PlanAsync(services, interaction, ct).ConfigureAwait(false);
        if (plan == ResponseState.None)
        {
            await AnswerInlineAsync(http, services, dispatcher, interaction, time, ct).ConfigureAwait(false);
            return;
        }

        // Slow work: defer in this HTTP answer now, and let the queue's workers do the rest (the claim first) under their
        // own cancellation: a client that goes away cancels nothing. The claim is not made here: it is a database write,
        // and behind the workers' writes on SQLite it took up to 2 s (measured, docs/performance.md). A duplicate
        // delivery therefore gets a deferral too, which Discord ignores (it takes one initial response), and only the
        // claim's winner edits @original.
        var queue = services.GetRequiredService<HttpInteractionQueue>();
        var metrics = services.GetRequiredService<MoodBotMetrics>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DiscordEndpointRouteBuilderExtensions));
        var item = new QueuedInteraction(interaction, received, plan);
        if (!queue.TryEnqueue(item))
        {
            Log.InteractionQueueFull(logger, queue.Capacity);
            metrics.Interaction(InteractionDispatcher.CommandLabel(interaction), "busy");
            await TryWriteAsync(http, new InteractionResponse((int)InteractionCallbackType.ChannelMessageWithSource,
                new MessagePayload { Content = Strings.ResourceManager.GetString(nameof(Strings.QueueBusy), ReplyCulture.For(interaction.Locale)), Flags = MessagePayload.EphemeralFlag, AllowedMentions = AllowedMentions.None }), ct)
                .ConfigureAwait(false);
            return;
        }

        try
        {
            var deferral = plan == ResponseState.DeferredUpdate
                ? new InteractionResponse((int)InteractionCallbackType.DeferredUpdateMessage)
                : new InteractionResponse((int)InteractionCallbackType.DeferredChannelMessageWithSource,
                    plan == ResponseState.DeferredEphemeral ? new MessagePayload { Flags = MessagePayload.EphemeralFlag } : null);
            if (await TryWriteAsync(http, deferral, ct).ConfigureAwait(false))
            {
                metrics.Stage("defer", time.GetElapsedTime(received));
            }
            else
            {
                Log.HttpAnswerAbandoned(logger, InteractionDispatcher.CommandLabel(interaction));
            }
        }
        finally
        {
            item.AnswerFinished();
        }
    }

    /// <summary>The deferral a slow handler wants, or None to run the handler inline (quick answers, unknown commands).</summary>
    private static async Task<ResponseState> PlanAsync(IServiceProvider services, Interaction interaction, CancellationToken ct)
    {
        if (interaction.Type is not (InteractionType.ApplicationCommand or InteractionType.MessageComponent))
        {
            return ResponseState.None;
        }

        var handler = services.GetServices<IInteractionHandler>().FirstOrDefault(h => h.CanHandle(interaction));
        try
        {
            return handler is IDeferrableInteractionHandler deferrable
                ? await deferrable.PlanDeferralAsync(interaction, ct).ConfigureAwait(false)
                : ResponseState.None;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left during the plan: the inline path below gives the work its own token all the same.
            return ResponseState.None;
        }
    }

    /// <summary>
    /// Quick interactions (a help text, a refusal, a settings form): the handler's own first answer is the HTTP answer,
    /// deferred on its behalf if it takes longer than <see cref="AnswerBudget"/>.
    /// </summary>
    private static async Task AnswerInlineAsync(HttpContext http, IServiceProvider services, InteractionDispatcher dispatcher,
        Interaction interaction, TimeProvider time, CancellationToken ct)
    {
        var responder = new HttpInteractionResponder();
        dispatcher.Dispatch(interaction, responder);
        try
        {
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
                http.Response.StatusCode = StatusCodes.Status409Conflict;
                return;
            }

            if (!await TryWriteAsync(http, response, ct).ConfigureAwait(false))
            {
                var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DiscordEndpointRouteBuilderExtensions));
                Log.HttpAnswerAbandoned(logger, InteractionDispatcher.CommandLabel(interaction));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away while the handler prepared its answer; the handler finishes on its own token.
        }
        finally
        {
            // Always released: a handler waiting to follow its answer with an edit must never wait until shutdown.
            responder.Written();
        }
    }

    /// <returns>false when the client went away before the answer was written.</returns>
    private static async Task<bool> TryWriteAsync(HttpContext http, InteractionResponse response, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            await WriteAsync(http, response, ct).ConfigureAwait(false);
            return !ct.IsCancellationRequested;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException || ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task WriteAsync(HttpContext http, InteractionResponse response, CancellationToken ct)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        await http.Response.WriteAsJsonAsync(response, DiscordJson.Options, ct).ConfigureAwait(false);
        await http.Response.CompleteAsync().ConfigureAwait(false);
    }

    /// <returns>The body, or why it could not be read (too big, too slow, cut off) as a short phrase for the log.</returns>
    private static async Task<(byte[] Body, string? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return ([], "body too large");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return ([], "body too large");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException)
        {
            // Kestrel's minimum data rate (a body trickled in), a malformed chunked encoding, a size limit.
            return ([], "body unreadable or too slow");
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            return ([], "client went away mid-body");
        }

        return (buffer.ToArray(), null);
    }
}
