using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Resources;

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
            already ? Strings.AlreadyLinked : null, cancellationToken).ConfigureAwait(false);
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
            Content = removed ? Strings.Unlinked : Strings.WasNotLinked,
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
            Title = Strings.HelpTitle,
            Description = Strings.HelpBody,
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
            : throw new InteractionProblemException(ProblemKind.NotConfigured, Strings.LinkingNotConfigured);
}
