using MoodBot.Discord.Rest;

namespace MoodBot.Discord.Interactions;

/// <summary>How far an interaction's answer has got; decides how later messages (and errors) are delivered.</summary>
internal enum ResponseState
{
    None,

    /// <summary>Type 5 sent: a "thinking…" message is shown publicly; edit @original to answer.</summary>
    DeferredPublic,

    /// <summary>Type 5 with the ephemeral flag: only the member sees it.</summary>
    DeferredEphemeral,

    /// <summary>Type 6 on a component: the message stays as it is until @original is edited.</summary>
    DeferredUpdate,

    Responded,
}

/// <summary>One interaction being handled, within its own DI scope.</summary>
/// <param name="acknowledgedAs">
/// HTTP mode's queued interactions: the deferral the endpoint already sent in its HTTP answer (None otherwise).
/// </param>
/// <param name="acknowledged">Completes once that answer was written (or abandoned): REST calls wait for it.</param>
internal sealed class InteractionContext(Interaction interaction, InteractionResponder responder, DiscordRestClient rest, TimeProvider time,
    long receivedTimestamp, ResponseState acknowledgedAs = ResponseState.None, Task? acknowledged = null)
{
    /// <summary>The handler has not given its own first answer yet; the endpoint's deferral stands in for it.</summary>
    private bool _preAcknowledged = acknowledgedAs != ResponseState.None;

    public Interaction Interaction { get; } = interaction;

    public DiscordRestClient Rest { get; } = rest;

    public ResponseState State { get; private set; } = acknowledgedAs;

    /// <summary>When the interaction reached us, for the receive→callback latency.</summary>
    public long ReceivedTimestamp { get; } = receivedTimestamp;

    public TimeSpan? InitialResponseLatency { get; private set; }

    public string UserId => Interaction.UserId;

    public Task DeferAsync(bool ephemeral, CancellationToken ct) =>
        RespondAsync(new InteractionResponse((int)InteractionCallbackType.DeferredChannelMessageWithSource,
            ephemeral ? new MessagePayload { Flags = MessagePayload.EphemeralFlag } : null),
            ephemeral ? ResponseState.DeferredEphemeral : ResponseState.DeferredPublic, ct);

    public Task DeferUpdateAsync(CancellationToken ct) =>
        RespondAsync(new InteractionResponse((int)InteractionCallbackType.DeferredUpdateMessage), ResponseState.DeferredUpdate, ct);

    /// <summary>Answers with a message (type 4), ephemeral when asked.</summary>
    public Task ReplyAsync(MessagePayload message, bool ephemeral, CancellationToken ct)
    {
        var payload = message with
        {
            Flags = ephemeral ? MessagePayload.EphemeralFlag : message.Flags,
            AllowedMentions = AllowedMentions.None,
        };
        return RespondAsync(new InteractionResponse((int)InteractionCallbackType.ChannelMessageWithSource, payload), ResponseState.Responded, ct);
    }

    public async Task EditOriginalAsync(MessagePayload message, IReadOnlyList<FileUpload>? files, CancellationToken ct)
    {
        await AcknowledgedAsync(ct).ConfigureAwait(false);
        await Rest.EditOriginalAsync(Interaction.ApplicationId, Interaction.Token, message with { AllowedMentions = AllowedMentions.None }, files, ct)
            .ConfigureAwait(false);
        // @original now shows an answer: a later failure (the playlist save, say) must become a follow-up, not delete it.
        if (State != ResponseState.None)
        {
            State = ResponseState.Responded;
        }
    }

    public async Task FollowupAsync(MessagePayload message, bool ephemeral, CancellationToken ct)
    {
        await AcknowledgedAsync(ct).ConfigureAwait(false);
        await Rest.CreateFollowupAsync(Interaction.ApplicationId, Interaction.Token,
            message with { Flags = ephemeral ? MessagePayload.EphemeralFlag : message.Flags, AllowedMentions = AllowedMentions.None }, null, ct)
            .ConfigureAwait(false);
    }

    public async Task DeleteOriginalAsync(CancellationToken ct)
    {
        await AcknowledgedAsync(ct).ConfigureAwait(false);
        await Rest.DeleteOriginalAsync(Interaction.ApplicationId, Interaction.Token, ct).ConfigureAwait(false);
    }

    /// <summary>A PATCH of @original must not overtake the HTTP answer that created it.</summary>
    private Task AcknowledgedAsync(CancellationToken ct) => acknowledged is null ? Task.CompletedTask : acknowledged.WaitAsync(ct);

    private async Task RespondAsync(InteractionResponse response, ResponseState state, CancellationToken ct)
    {
        if (_preAcknowledged)
        {
            // The endpoint deferred already (its kind — public, ephemeral, update — is what the member sees now): a
            // deferral asked for by the handler is that one; a message becomes the edit of @original.
            _preAcknowledged = false;
            if (response.Data is { } message && response.Type is (int)InteractionCallbackType.ChannelMessageWithSource or (int)InteractionCallbackType.UpdateMessage)
            {
                await EditOriginalAsync(message with { Flags = null }, null, ct).ConfigureAwait(false);
                State = ResponseState.Responded;
            }

            return;
        }

        if (State != ResponseState.None)
        {
            throw new InvalidOperationException("this interaction already has its initial response");
        }

        var delivered = await responder.RespondAsync(Rest, Interaction, response, ct).ConfigureAwait(false);
        InitialResponseLatency ??= time.GetElapsedTime(ReceivedTimestamp);
        if (delivered)
        {
            State = state;
            return;
        }

        // HTTP mode answered with a deferral on our behalf (we were too slow); finish by editing @original.
        var fallbackState = Interaction.Type == InteractionType.MessageComponent ? ResponseState.DeferredUpdate : ResponseState.DeferredPublic;
        State = fallbackState;
        if (response.Data is { } data && response.Type is (int)InteractionCallbackType.ChannelMessageWithSource or (int)InteractionCallbackType.UpdateMessage)
        {
            await EditOriginalAsync(data with { Flags = null }, null, ct).ConfigureAwait(false);
            State = ResponseState.Responded;
        }
        else
        {
            State = fallbackState;
        }
    }
}
