using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// <c>/forget-me</c>: deletes the member's recommendation history, Spotify link (and pending link attempts) and cooldown,
/// then says exactly what was deleted. Private, and deferred first because it writes to the database.
/// </summary>
internal sealed class ForgetMeCommand(IServiceProvider services, IMemberDataEraser eraser) : IInteractionHandler
{
    public const string Name = "forget-me";

    public bool CanHandle(Interaction interaction) => interaction.Type == InteractionType.ApplicationCommand && interaction.Data?.Name == Name;

    public async Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.DeferAsync(ephemeral: true, cancellationToken).ConfigureAwait(false);

        // Through the linking service first: it also drops this instance's cached access token for the member.
        var unlinked = services.GetService<ISpotifyLinking>() is { IsConfigured: true } linking &&
                       await linking.UnlinkAsync(context.UserId, cancellationToken).ConfigureAwait(false);
        var deleted = await eraser.ForgetAsync(context.UserId, MoodMusicService.UserKey(context.UserId), cancellationToken).ConfigureAwait(false);
        deleted = deleted with { SpotifyLink = deleted.SpotifyLink || unlinked };
        await context.EditOriginalAsync(new MessagePayload { Content = Confirmation(deleted) }, null, cancellationToken).ConfigureAwait(false);
    }

    internal static string Confirmation(MemberDataDeletion d)
    {
        var photos = Strings.ForgetPhotos;
        if (!d.Anything)
        {
            return Strings.ForgetNothing + " " + photos;
        }

        var parts = new List<string>();
        if (d.RecommendationRows > 0)
        {
            parts.Add(d.RecommendationRows == 1 ? Strings.ForgetHistoryOne : ReplyCulture.Format(Strings.ForgetHistoryMany, d.RecommendationRows));
        }

        if (d.SpotifyLink)
        {
            parts.Add(Strings.ForgetLink);
        }

        if (d.PendingLinks > 0)
        {
            parts.Add(Strings.ForgetPending);
        }

        if (d.CooldownRows > 0)
        {
            parts.Add(Strings.ForgetCooldown);
        }

        return ReplyCulture.Format(Strings.ForgetDone, string.Join(Strings.ListSeparator, parts)) + " " + photos;
    }
}
