using MoodBot.Discord.Rest;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// Delivers an interaction's initial response: over REST in Gateway mode, or as the body of Discord's own POST in
/// HTTP mode. Everything after the initial response goes through the webhook REST routes in both modes.
/// </summary>
internal abstract class InteractionResponder
{
    /// <summary>Gateway mode: POST /interactions/{id}/{token}/callback.</summary>
    public static InteractionResponder Rest { get; } = new RestResponder();

    /// <summary>HTTP mode's queued interactions: the endpoint's deferral was the initial response.</summary>
    public static InteractionResponder AlreadyAnswered { get; } = new AnsweredResponder();

    /// <returns>false when the response could not be delivered as the initial response (HTTP mode already deferred).</returns>
    public abstract Task<bool> RespondAsync(DiscordRestClient rest, Interaction interaction, InteractionResponse response,
        CancellationToken cancellationToken);

    /// <summary>Another delivery of this interaction is being answered (elsewhere); this one gets no answer.</summary>
    public virtual void Decline()
    {
    }

    private sealed class AnsweredResponder : InteractionResponder
    {
        public override Task<bool> RespondAsync(DiscordRestClient rest, Interaction interaction, InteractionResponse response,
            CancellationToken cancellationToken) => Task.FromResult(false);
    }

    private sealed class RestResponder : InteractionResponder
    {
        public override async Task<bool> RespondAsync(DiscordRestClient rest, Interaction interaction, InteractionResponse response,
            CancellationToken cancellationToken)
        {
            await rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, response, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}

/// <summary>
/// HTTP mode: hands the initial response to the waiting request, and waits until it was written, so a following
/// PATCH of @original can never overtake the response it edits.
/// </summary>
internal sealed class HttpInteractionResponder : InteractionResponder
{
    private readonly TaskCompletionSource<InteractionResponse?> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The initial response, or null when the interaction was <see cref="Decline">declined</see> as a duplicate.</summary>
    public Task<InteractionResponse?> Response => _response.Task;

    public override async Task<bool> RespondAsync(DiscordRestClient rest, Interaction interaction, InteractionResponse response,
        CancellationToken cancellationToken)
    {
        if (!_response.TrySetResult(response))
        {
            return false;
        }

        await _written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public override void Decline() => _response.TrySetResult(null);

    /// <summary>The endpoint gave up waiting and answered with <paramref name="fallback"/> itself.</summary>
    public bool TryFallback(InteractionResponse fallback) => _response.TrySetResult(fallback);

    public void Written() => _written.TrySetResult();
}
