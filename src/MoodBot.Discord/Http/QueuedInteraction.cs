using MoodBot.Discord.Interactions;

namespace MoodBot.Discord;

/// <summary>An HTTP-mode interaction deferred in its HTTP answer, waiting for a worker of <see cref="HttpInteractionQueue"/>.</summary>
internal sealed class QueuedInteraction(Interaction interaction, long receivedTimestamp, ResponseState acknowledgedAs)
{
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Interaction Interaction { get; } = interaction;

    public long ReceivedTimestamp { get; } = receivedTimestamp;

    /// <summary>The deferral sent as the HTTP answer.</summary>
    public ResponseState AcknowledgedAs { get; } = acknowledgedAs;

    /// <summary>Completes once the HTTP answer was written, or the client went away before it could be.</summary>
    public Task Answered => _answered.Task;

    public void AnswerFinished() => _answered.TrySetResult();
}
