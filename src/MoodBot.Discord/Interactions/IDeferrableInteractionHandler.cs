namespace MoodBot.Discord.Interactions;

/// <summary>
/// A handler whose real work is slow (a download, the analysis, Spotify). In HTTP mode the endpoint asks it which
/// deferral to send, sends that as the HTTP answer at once, and runs the handler later from a background queue; in
/// Gateway mode the handler defers for itself as usual.
/// </summary>
internal interface IDeferrableInteractionHandler : IInteractionHandler
{
    /// <summary>
    /// Cheap checks only (the payload, at most one settings read): <see cref="ResponseState.DeferredPublic"/>,
    /// <see cref="ResponseState.DeferredEphemeral"/> or <see cref="ResponseState.DeferredUpdate"/> to defer now, or
    /// <see cref="ResponseState.None"/> when the answer is quick and must not be a deferral (a refusal only the member
    /// should see), so the endpoint runs the handler inline instead.
    /// </summary>
    ValueTask<ResponseState> PlanDeferralAsync(Interaction interaction, CancellationToken cancellationToken);
}
