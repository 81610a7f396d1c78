using System.Globalization;
using Microsoft.Extensions.Logging;
using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// The one place interaction failures are turned into log entries and kind, ephemeral answers (replaceable in DI).
/// </summary>
internal interface IInteractionResultHandler
{
    Task HandleFailureAsync(InteractionContext context, Exception exception, CancellationToken cancellationToken);
}

internal sealed class InteractionResultHandler(ILogger<InteractionResultHandler> logger) : IInteractionResultHandler
{
    internal static string GenericMessage => Strings.GenericError;

    public async Task HandleFailureAsync(InteractionContext context, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.Interaction.Data?.Name ?? context.Interaction.Data?.CustomId?.Split(':')[0] ?? "?";
        string message;
        switch (exception)
        {
            case InteractionProblemException p:
                Log.InteractionRefused(logger, name, p.Kind);
                message = p.Message;
                break;
            case UnsupportedImageException u:
                // The analyzer's message is written for the member (Core contract).
                Log.InteractionRefused(logger, name, ProblemKind.UnsupportedImage);
                // The analyzer's own English sentence is the most specific ("HEIC isn't supported"); a translated
                // reply says the same per kind of problem.
                message = ReplyCulture.Format(Strings.UnreadablePhoto, CultureInfo.CurrentUICulture.Equals(CultureInfo.InvariantCulture) ? u.Message : u.Problem switch
                {
                    ImageProblem.Empty => Strings.Image_Empty,
                    ImageProblem.TooLarge => Strings.Image_TooLarge,
                    ImageProblem.TooManyPixels => Strings.Image_TooManyPixels,
                    ImageProblem.UnsupportedFormat => Strings.Image_UnsupportedFormat,
                    _ => Strings.Image_Corrupt,
                });
                break;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                message = Strings.Restarting;
                break;
            default:
                Log.InteractionFailed(logger, exception, name);
                message = GenericMessage;
                break;
        }

        var payload = new MessagePayload { Content = message };
        try
        {
            // A short grace period lets the apology go out even while the host is stopping.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var ct = grace.Token;
            switch (context.State)
            {
                case ResponseState.None:
                    await context.ReplyAsync(payload, ephemeral: true, ct).ConfigureAwait(false);
                    break;
                case ResponseState.DeferredEphemeral:
                    await context.EditOriginalAsync(payload, null, ct).ConfigureAwait(false);
                    break;
                case ResponseState.DeferredPublic:
                    // The public "thinking…" placeholder can't turn ephemeral: remove it, apologise privately.
                    await context.DeleteOriginalAsync(ct).ConfigureAwait(false);
                    await context.FollowupAsync(payload, ephemeral: true, ct).ConfigureAwait(false);
                    break;
                default:
                    await context.FollowupAsync(payload, ephemeral: true, ct).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex) when (ex is DiscordRestException or HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            Log.ErrorReplyFailed(logger, ex, name);
        }
    }
}
