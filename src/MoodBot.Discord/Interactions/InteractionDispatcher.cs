using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// Runs each interaction on its own task in its own DI scope (so scoped services such as a DbContext are safe), routes
/// it to its handler, sends failures to the result handler, and lets shutdown wait for work in flight. Each interaction
/// is claimed first (<see cref="IInteractionClaims"/>), so one delivered twice (a RESUME replay, a retried POST, two
/// instances) is answered once.
/// </summary>
internal sealed class InteractionDispatcher(
    IServiceScopeFactory scopes, IInteractionClaims claims, MoodBotMetrics metrics, TimeProvider time, ILogger<InteractionDispatcher> logger)
    : IDisposable
{
    /// <summary>
    /// The claim is one indexed insert (about a millisecond); if the database takes longer than this, the interaction is
    /// answered unclaimed rather than letting Discord's 3 s deadline pass.
    /// </summary>
    internal static readonly TimeSpan ClaimBudget = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly CancellationTokenSource _stopping = new();

    public int InFlight => _inFlight.Count;

    public void Dispatch(Interaction interaction, InteractionResponder responder)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var received = time.GetTimestamp();
        var task = Task.Run(() => HandleAsync(interaction, responder, received), CancellationToken.None);
        _inFlight.TryAdd(task, 0);
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Waits for interactions in flight; when <paramref name="cancellationToken"/> fires, cancels them.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_inFlight.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// HTTP mode's queue: claims and runs an interaction the endpoint already deferred (as <paramref name="acknowledgedAs"/>);
    /// <paramref name="cancellationToken"/> is the queue's own, never the request's. A lost claim ends it silently.
    /// </summary>
    public Task RunDeferredAsync(Interaction interaction, long received, ResponseState acknowledgedAs, Task acknowledged,
        CancellationToken cancellationToken) =>
        HandleAsync(interaction, InteractionResponder.AlreadyAnswered, received, acknowledgedAs, acknowledged, cancellationToken);

    private Task HandleAsync(Interaction interaction, InteractionResponder responder, long received) =>
        HandleAsync(interaction, responder, received, ResponseState.None, null, _stopping.Token);

    private async Task HandleAsync(Interaction interaction, InteractionResponder responder, long received, ResponseState acknowledgedAs,
        Task? acknowledged, CancellationToken ct)
    {
        // Every reply below reads Strings.* in the member's language. CurrentUICulture is async-local, so this only
        // affects this interaction's flow (the same model as ASP.NET Core's request localization).
        CultureInfo.CurrentUICulture = ReplyCulture.For(interaction.Locale);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var rest = scope.ServiceProvider.GetRequiredService<DiscordRestClient>();
            var context = new InteractionContext(interaction, responder, rest, time, received, acknowledgedAs, acknowledged);
            // A message-template scope: the text console prints "Interaction 123…", JSON keeps InteractionId as a field.
            using var _ = Log.InteractionScope(logger, interaction.Id);
            Log.InteractionReceived(logger, interaction.Type, interaction.Data?.Name ?? interaction.Data?.CustomId ?? "-");
            var command = CommandLabel(interaction);
            if (!await ClaimAsync(interaction, ct).ConfigureAwait(false))
            {
                Log.DuplicateInteraction(logger);
                metrics.Interaction(command, "duplicate");
                responder.Decline();
                return;
            }

            try
            {
                var handler = scope.ServiceProvider.GetServices<IInteractionHandler>().FirstOrDefault(h => h.CanHandle(interaction))
                              ?? throw new InteractionProblemException(ProblemKind.Unavailable, Strings.UnknownCommand);
                await handler.HandleAsync(context, ct).ConfigureAwait(false);
                metrics.Interaction(command, "ok");
            }
            catch (Exception ex)
            {
                metrics.Interaction(command, ex switch
                {
                    InteractionProblemException p => p.Kind.ToString(),
                    Core.UnsupportedImageException => nameof(ProblemKind.UnsupportedImage),
                    _ => "error",
                });
                await scope.ServiceProvider.GetRequiredService<IInteractionResultHandler>()
                    .HandleFailureAsync(context, ex, ct).ConfigureAwait(false);
            }

            if (context.InitialResponseLatency is { } latency)
            {
                Log.InitialResponseLatency(logger, latency.TotalMilliseconds);
                metrics.Stage("defer", latency);
            }
        }
    }

    /// <summary>True when this instance should answer; fails open (with a warning) if the claim store is slow or down.</summary>
    private async Task<bool> ClaimAsync(Interaction interaction, CancellationToken ct)
    {
        using var budget = new CancellationTokenSource(ClaimBudget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, budget.Token);
        try
        {
            return await claims.TryClaimAsync(interaction.Id, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // A duplicate answer is a smaller harm than no answer at all.
            Log.ClaimFailed(logger, ex);
            return true;
        }
    }

    /// <summary>A low-cardinality label: the command name, or the button family (custom ids carry per-user state).</summary>
    internal static string CommandLabel(Interaction interaction) => interaction.Type switch
    {
        InteractionType.ApplicationCommand => interaction.Data?.Name ?? "unknown",
        InteractionType.MessageComponent => "button:" + (interaction.Data?.CustomId is { Length: >= 4 } id ? id[..4] : "unknown"),
        _ => interaction.Type.ToString(),
    };
}
