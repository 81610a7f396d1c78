using System.Text.Json;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// The message context-menu command (right-click a message → Apps → "Music for this photo"): the message's first image
/// goes through the same pipeline and reply as <c>/moodmusic</c>. Discord sends the whole message in
/// <c>data.resolved.messages</c>, so nothing is fetched to find the image (and the bot needs no read permission).
/// </summary>
internal sealed class PhotoMessageCommand(MoodMusicCommand pipeline, AttachmentDownloader downloader) : IDeferrableInteractionHandler
{
    public const string Name = "Music for this photo";

    /// <summary>Application command type 3 (MESSAGE).</summary>
    public const int MessageCommandType = 3;

    internal static string NoImageMessage => Strings.NoImageInMessage;

    public bool CanHandle(Interaction interaction) =>
        interaction.Type == InteractionType.ApplicationCommand && interaction.Data?.Name == Name;

    public ValueTask<ResponseState> PlanDeferralAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        return FirstImage(interaction.Data) is { } photo
            ? pipeline.PlanDeferralAsync(interaction, photo, cancellationToken)
            : ValueTask.FromResult(ResponseState.None);
    }

    public Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var photo = FirstImage(context.Interaction.Data) ?? throw new InteractionProblemException(ProblemKind.AttachmentRefused, NoImageMessage);
        return pipeline.RunAsync(context, new MoodMusicCommand.CommandArgs(photo, null, null, null, false),
            cancellationToken);
    }

    /// <summary>
    /// The first usable image: an image attachment, else an embed's image or thumbnail whose URL (or media-proxy copy)
    /// is on the allowed CDN hosts. Link previews of other sites carry their picture's proxy copy on media.discordapp.net.
    /// </summary>
    internal Attachment? FirstImage(InteractionData? data)
    {
        if (data?.TargetId is not { } target || data.Resolved?.Messages?.TryGetValue(target, out var message) != true || message is null)
        {
            return null;
        }

        foreach (var a in message.Attachments ?? [])
        {
            if (a is not null && IsImage(a))
            {
                return a;
            }
        }

        foreach (var embed in message.Embeds ?? [])
        {
            foreach (var kind in (ReadOnlySpan<string>)["image", "thumbnail"])
            {
                if (FromEmbed(embed, kind) is { } image)
                {
                    return image;
                }
            }
        }

        return null;
    }

    private static bool IsImage(Attachment a) =>
        a.ContentType is { } type ? type.StartsWith("image/", StringComparison.OrdinalIgnoreCase) : a.Width is > 0 && a.Height is > 0;

    private Attachment? FromEmbed(JsonElement embed, string kind)
    {
        if (embed.ValueKind != JsonValueKind.Object || !embed.TryGetProperty(kind, out var media) || media.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var url = Allowed(media, "url");
        var proxy = Allowed(media, "proxy_url");
        if ((url ?? proxy) is not { } chosen)
        {
            return null;
        }

        return new Attachment
        {
            Id = "embed-" + kind,
            Url = chosen,
            ProxyUrl = proxy,
            Width = Dimension(media, "width"),
            Height = Dimension(media, "height"),
        };
    }

    private string? Allowed(JsonElement media, string property) =>
        media.TryGetProperty(property, out var v) && InteractionParser.StringOrNull(v) is { } text &&
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && downloader.IsAllowed(uri)
            ? text
            : null;

    private static int? Dimension(JsonElement media, string property) =>
        media.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n > 0 ? n : null;
}
