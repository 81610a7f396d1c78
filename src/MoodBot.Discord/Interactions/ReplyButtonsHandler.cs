using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// The reply's buttons. State comes from the custom_id and the message itself, so any instance can answer.
/// The requester's own clicks edit the reply in place; anyone else gets a private answer of their own.
/// </summary>
internal sealed class ReplyButtonsHandler(MoodMusicService music, SpotifySaver spotify, SpotifyPlayer player, CooldownTracker cooldown, GuildPolicy guilds)
    : IDeferrableInteractionHandler
{
    public bool CanHandle(Interaction interaction) =>
        interaction.Type == InteractionType.MessageComponent && interaction.Data?.CustomId?.StartsWith(ButtonState.Prefix, StringComparison.Ordinal) == true;

    /// <summary>The same deferral <see cref="HandleAsync"/> sends: the requester's re-rolls update in place; saves, plays and anyone else's clicks are private.</summary>
    public ValueTask<ResponseState> PlanDeferralAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        if (!ButtonState.TryDecode(interaction.Data?.CustomId, out var state))
        {
            return ValueTask.FromResult(ResponseState.None);
        }

        return ValueTask.FromResult(state.Action is not (ButtonAction.Save or ButtonAction.Play) && state.OwnerId == interaction.UserId
            ? ResponseState.DeferredUpdate
            : ResponseState.DeferredEphemeral);
    }

    public async Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!ButtonState.TryDecode(context.Interaction.Data?.CustomId, out var state))
        {
            throw new InteractionProblemException(ProblemKind.Unavailable, Strings.OldButton);
        }

        var shown = ReplyBuilder.TrackIdsFrom(context.Interaction.Message?.Embeds);
        if (state.Action == ButtonAction.Save)
        {
            await context.DeferAsync(ephemeral: true, cancellationToken).ConfigureAwait(false);
            if (shown.Count == 0)
            {
                throw new InteractionProblemException(ProblemKind.Unavailable, Strings.NoTracksToSave);
            }

            var saved = await spotify.SaveAsync(context.UserId, state.Mood.Top, state.Mode, shown, cancellationToken).ConfigureAwait(false);
            await context.EditOriginalAsync(saved, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (state.Action == ButtonAction.Play)
        {
            // Private either way: it is about the presser's own Spotify, whoever asked for the reply.
            await context.DeferAsync(ephemeral: true, cancellationToken).ConfigureAwait(false);
            if (shown.Count == 0)
            {
                throw new InteractionProblemException(ProblemKind.Unavailable, Strings.NoTracksToPlay);
            }

            var played = await player.PlayAsync(context.UserId, shown, cancellationToken).ConfigureAwait(false);
            await context.EditOriginalAsync(played, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Re-rolls cost a recommendation like the command does.
        var settings = await guilds.ForAsync(context.Interaction, cancellationToken).ConfigureAwait(false);
        var cooldownDecision = await cooldown.TryStartAsync(context.UserId, settings, cancellationToken).ConfigureAwait(false);
        if (!cooldownDecision.Started)
        {
            throw new InteractionProblemException(ProblemKind.RateLimited,
                ReplyCulture.Format(Strings.Cooldown, Math.Ceiling(cooldownDecision.Remaining.TotalSeconds)));
        }

        var owner = state.OwnerId == context.UserId;
        if (owner)
        {
            await context.DeferUpdateAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await context.DeferAsync(ephemeral: true, cancellationToken).ConfigureAwait(false);
        }

        var mode = state.Action == ButtonAction.Lift ? RecommendationMode.Lift : state.Mode;
        var exclude = shown.ToHashSet(StringComparer.Ordinal);
        var reply = await music.RecommendAsync(state.Mood, [], manual: false, mode, state.Count, context.UserId, context.UserId, exclude,
            cancellationToken).ConfigureAwait(false);
        var (message, chart) = ReplyBuilder.Build(reply);
        await context.EditOriginalAsync(message, [chart], cancellationToken).ConfigureAwait(false);
    }
}
