using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Rest;

namespace MoodBot.Discord.Interactions;

/// <summary><c>/link</c>: a private, single-use authorize link (the Spotify layer owns state and PKCE).</summary>
internal sealed class LinkCommand(IServiceProvider services) : IInteractionHandler
{
    public const string Name = "link";

    public bool CanHandle(Interaction interaction) => interaction.Type == InteractionType.ApplicationCommand && interaction.Data?.Name == Name;

    public async Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var linking = AccountCommands.Linking(services);
        // Creating the link writes to storage; defer privately so a slow database can't miss the 3-second window.
        await context.DeferAsync(ephemeral: true, cancellationToken).ConfigureAwait(false);
        var already = await linking.IsLinkedAsync(context.UserId, cancellationToken).ConfigureAwait(false);
        var offer = await SpotifySaver.LinkOfferAsync(linking, context.UserId,
            already ? "Your Spotify account is already linked; linking again replaces it." : null, cancellationToken).ConfigureAwait(false);
        await context.EditOriginalAsync(offer, null, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>/unlink</c>: forgets the member's Spotify tokens.</summary>
internal sealed class UnlinkCommand(IServiceProvider services) : IInteractionHandler
{
    public const string Name = "unlink";

    public bool CanHandle(Interaction interaction) => interaction.Type == InteractionType.ApplicationCommand && interaction.Data?.Name == Name;

    public async Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var linking = AccountCommands.Linking(services);
        await context.DeferAsync(ephemeral: true, cancellationToken).ConfigureAwait(false);
        var removed = await linking.UnlinkAsync(context.UserId, cancellationToken).ConfigureAwait(false);
        await context.EditOriginalAsync(new MessagePayload
        {
            Content = removed ? "Done — your Spotify account is unlinked and its tokens are deleted." : "You didn't have a Spotify account linked.",
        }, null, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>/help</c>: what the bot does and what it keeps.</summary>
internal sealed class HelpCommand : IInteractionHandler
{
    public const string Name = "help";

    public bool CanHandle(Interaction interaction) => interaction.Type == InteractionType.ApplicationCommand && interaction.Data?.Name == Name;

    public Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var embed = new Embed
        {
            Title = "MoodBot — music for the mood in your photo",
            Description =
                "**/moodmusic** `photo:` — I read the faces in your photo and suggest tracks.\n" +
                "• `mood:` pick the mood yourself · `mode:` **match** it or **lift** it · `count:` 5–20 · `playlist:` save to Spotify\n" +
                "**/link** — connect Spotify so I can save playlists · **/unlink** — disconnect it\n" +
                "**Apps → Music for this photo** on any message with an image · **/forget-me** — delete what I keep about you\n\n" +
                "Privacy: your photo is analysed in memory and never stored; I only remember the emotion and the track ids, " +
                "so I don't repeat myself.",
            Color = 0x1DB954,
        };
        return context.ReplyAsync(new MessagePayload { Embeds = [embed] }, ephemeral: true, cancellationToken);
    }
}

internal static class AccountCommands
{
    public static ISpotifyLinking Linking(IServiceProvider services) =>
        services.GetService<ISpotifyLinking>() is { IsConfigured: true } l
            ? l
            : throw new InteractionProblemException(ProblemKind.NotConfigured, "Spotify linking isn't set up on this bot.");
}
