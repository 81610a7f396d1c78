using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// "▶ Play on Spotify": starts a reply's tracks on the presser's active Spotify device, or says in one sentence why it
/// could not. A link that lacks the playback scope is offered a fresh link here, and only here.
/// </summary>
internal sealed class SpotifyPlayer(IServiceProvider services)
{
    public async Task<MessagePayload> PlayAsync(string userId, IReadOnlyList<string> trackIds, CancellationToken ct)
    {
        var linking = services.GetService<ISpotifyLinking>();
        if (linking is not { IsConfigured: true })
        {
            throw new InteractionProblemException(ProblemKind.NotConfigured, Strings.PlayNotConfigured);
        }

        var problem = await linking.PlayAsync(userId, trackIds, ct).ConfigureAwait(false);
        return problem switch
        {
            PlaybackProblem.None => new MessagePayload { Content = ReplyCulture.Format(Strings.PlayStarted, trackIds.Count) },
            PlaybackProblem.NotLinked => await SpotifySaver.LinkOfferAsync(linking, userId, null, ct).ConfigureAwait(false),
            PlaybackProblem.ScopeMissing => await SpotifySaver.LinkOfferAsync(linking, userId,
                Strings.PlayNeedsScope, ct).ConfigureAwait(false),
            PlaybackProblem.LinkExpired => await SpotifySaver.LinkOfferAsync(linking, userId,
                Strings.LinkExpired, ct).ConfigureAwait(false),
            PlaybackProblem.NoActiveDevice => Text(Strings.PlayNoDevice),
            PlaybackProblem.PremiumRequired => Text(Strings.PlayPremiumRequired),
            PlaybackProblem.NotAllowed => Text(Strings.PlayNotAllowed),
            PlaybackProblem.RateLimited => throw new InteractionProblemException(ProblemKind.RateLimited, Strings.PlayBusy),
            _ => throw new InteractionProblemException(ProblemKind.Unavailable, Strings.PlayFailed),
        };
    }

    private static MessagePayload Text(string sentence) => new() { Content = sentence };
}
