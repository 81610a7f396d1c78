using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Rest;

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
            throw new InteractionProblemException(ProblemKind.NotConfigured, "Playing on Spotify isn't set up on this bot.");
        }

        var problem = await linking.PlayAsync(userId, trackIds, ct).ConfigureAwait(false);
        return problem switch
        {
            PlaybackProblem.None => new MessagePayload { Content = $"▶ Playing {trackIds.Count} tracks on your Spotify." },
            PlaybackProblem.NotLinked => await SpotifySaver.LinkOfferAsync(linking, userId, null, ct).ConfigureAwait(false),
            PlaybackProblem.ScopeMissing => await SpotifySaver.LinkOfferAsync(linking, userId,
                "To start music for you, MoodBot needs one more Spotify permission than your link has — please link again.", ct).ConfigureAwait(false),
            PlaybackProblem.LinkExpired => await SpotifySaver.LinkOfferAsync(linking, userId,
                "Your Spotify link has expired or was revoked.", ct).ConfigureAwait(false),
            PlaybackProblem.NoActiveDevice => Text(
                "Spotify has no active device for you — open Spotify on your phone, computer or speaker, play anything for a moment, then press ▶ again."),
            PlaybackProblem.PremiumRequired => Text(
                "Spotify only lets apps start playback on Premium accounts — use **Save to Spotify** and play the playlist yourself."),
            PlaybackProblem.NotAllowed => Text(
                "Spotify refused: this bot's Spotify app is in development mode and your account isn't on its allow-list — ask the bot's operator to add you."),
            PlaybackProblem.RateLimited => throw new InteractionProblemException(ProblemKind.RateLimited,
                "Spotify is busy right now — press ▶ again in a minute."),
            _ => throw new InteractionProblemException(ProblemKind.Unavailable,
                "Spotify didn't answer properly, so playback didn't start — please try again in a minute."),
        };
    }

    private static MessagePayload Text(string sentence) => new() { Content = sentence };
}
