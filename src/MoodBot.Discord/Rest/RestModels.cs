using System.Text.Json.Serialization;

namespace MoodBot.Discord.Rest;

// Request/response shapes, named after the spec's schemas (openapi.json, API v10).

internal sealed record GatewayBotResponse(string Url, int Shards, SessionStartLimit SessionStartLimit);

internal sealed record SessionStartLimit(int Total, int Remaining, int ResetAfter, int MaxConcurrency);

/// <summary>An interaction callback (types 1, 4, 5, 6, 7).</summary>
internal sealed record InteractionResponse(int Type, MessagePayload? Data = null);

/// <summary>A message body for callbacks, @original edits and followups.</summary>
internal sealed record MessagePayload
{
    public string? Content { get; init; }

    public IReadOnlyList<Embed>? Embeds { get; init; }

    public IReadOnlyList<ActionRow>? Components { get; init; }

    /// <summary>On an edit, the attachments to keep or upload (uploads by index id "0", "1", …).</summary>
    public IReadOnlyList<AttachmentRef>? Attachments { get; init; }

    public AllowedMentions? AllowedMentions { get; init; }

    public int? Flags { get; init; }

    public const int EphemeralFlag = 1 << 6;
}

/// <summary>Replies never ping anyone, whatever a track title contains.</summary>
internal sealed record AllowedMentions(IReadOnlyList<string> Parse)
{
    public static AllowedMentions None { get; } = new(Array.Empty<string>());
}

internal sealed record AttachmentRef(string Id, string? Filename = null, string? Description = null);

internal sealed record Embed
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    public string? Url { get; init; }

    public int? Color { get; init; }

    public IReadOnlyList<EmbedField>? Fields { get; init; }

    public EmbedImage? Image { get; init; }

    public EmbedFooter? Footer { get; init; }
}

internal sealed record EmbedField(string Name, string Value, bool Inline = false);

internal sealed record EmbedImage(string Url);

internal sealed record EmbedFooter(string Text);

internal sealed record ActionRow(IReadOnlyList<Button> Components)
{
    public int Type { get; init; } = 1;
}

internal sealed record Button
{
    public int Type { get; init; } = 2;

    public int Style { get; init; }

    public string? Label { get; init; }

    public string? CustomId { get; init; }

    public string? Url { get; init; }

    public bool? Disabled { get; init; }

    public const int Primary = 1;
    public const int Secondary = 2;
    public const int Success = 3;
    public const int Link = 5;
}

/// <summary>A file uploaded with a message (multipart <c>files[n]</c>).</summary>
internal sealed record FileUpload(string FileName, string ContentType, ReadOnlyMemory<byte> Content);

internal sealed record ApplicationCommand
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>Discord locale → the name members with that client language see (and can type).</summary>
    public IReadOnlyDictionary<string, string>? NameLocalizations { get; init; }

    public IReadOnlyDictionary<string, string>? DescriptionLocalizations { get; init; }

    public int Type { get; init; } = 1;

    public IReadOnlyList<CommandOption>? Options { get; init; }

    /// <summary>0 guild, 1 bot DM, 2 private channel.</summary>
    public IReadOnlyList<int>? Contexts { get; init; }

    /// <summary>0 installed to a server, 1 installed to a member's account (usable wherever they are).</summary>
    public IReadOnlyList<int>? IntegrationTypes { get; init; }

    /// <summary>Permission bits a member needs to see the command (server admins can change it); the spec types it as an integer.</summary>
    public long? DefaultMemberPermissions { get; init; }
}

internal sealed record CommandOption
{
    public required int Type { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>Interactions still carry the English <see cref="Name"/>; these only change what members see.</summary>
    public IReadOnlyDictionary<string, string>? NameLocalizations { get; init; }

    public IReadOnlyDictionary<string, string>? DescriptionLocalizations { get; init; }

    public bool? Required { get; init; }

    public IReadOnlyList<CommandChoice>? Choices { get; init; }

    public int? MinValue { get; init; }

    public int? MaxValue { get; init; }

    /// <summary>A subcommand's own options.</summary>
    public IReadOnlyList<CommandOption>? Options { get; init; }

    /// <summary>For a channel option: which kinds of channel may be picked (0 text, 5 announcement).</summary>
    public IReadOnlyList<int>? ChannelTypes { get; init; }

    public const int SubCommand = 1;
    public const int String = 3;
    public const int Integer = 4;
    public const int Boolean = 5;
    public const int Channel = 7;
    public const int AttachmentType = 11;
}

/// <param name="NameLocalizations">What members see per Discord locale; the <paramref name="Value"/> sent back stays the same.</param>
internal sealed record CommandChoice(string Name, [property: JsonPropertyName("value")] string Value,
    IReadOnlyDictionary<string, string>? NameLocalizations = null);
