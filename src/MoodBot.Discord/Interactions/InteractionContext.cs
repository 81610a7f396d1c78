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
internal sealed class InteractionContext(Interaction interaction, InteractionResponder responder, DiscordRestClient rest, TimeProvider time,
    long receivedTimestamp)
{
    public Interaction Interaction { get; } = interaction;

    public DiscordRestClient Rest { get; } = rest;

    public ResponseState State { get; private set; }

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
        await Rest.EditOriginalAsync(Interaction.ApplicationId, Interaction.Token, message with { AllowedMentions = AllowedMentions.None }, files, ct)
            .ConfigureAwait(false);
        // @original now shows an answer: a later failure (the playlist save, say) must become a follow-up, not delete it.
        if (State != ResponseState.None)
        {
            State = ResponseState.Responded;
        }
    }

    public Task FollowupAsync(MessagePayload message, bool ephemeral, CancellationToken ct) =>
        Rest.CreateFollowupAsync(Interaction.ApplicationId, Interaction.Token,
            message with { Flags = ephemeral ? MessagePayload.EphemeralFlag : message.Flags, AllowedMentions = AllowedMentions.None }, null, ct);

    public Task DeleteOriginalAsync(CancellationToken ct) => Rest.DeleteOriginalAsync(Interaction.ApplicationId, Interaction.Token, ct);

    private async Task RespondAsync(InteractionResponse response, ResponseState state, CancellationToken ct)
    {
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
