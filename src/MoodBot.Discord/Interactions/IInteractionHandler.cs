namespace MoodBot.Discord.Interactions;

/// <summary>Handles one kind of interaction (a command or a component family); resolved per interaction scope.</summary>
internal interface IInteractionHandler
{
    bool CanHandle(Interaction interaction);

    Task HandleAsync(InteractionContext context, CancellationToken cancellationToken);
}
