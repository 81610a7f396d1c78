using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoodBot.Discord.Interactions;

// The subset of Discord's interaction objects the bot reads (docs: interactions/receiving-and-responding).

internal enum InteractionType
{
    Ping = 1,
    ApplicationCommand = 2,
    MessageComponent = 3,
    Autocomplete = 4,
    ModalSubmit = 5,
}

internal enum InteractionCallbackType
{
    Pong = 1,
    ChannelMessageWithSource = 4,
    DeferredChannelMessageWithSource = 5,
    DeferredUpdateMessage = 6,
    UpdateMessage = 7,
}

internal sealed record Interaction
{
    public required string Id { get; init; }

    public required string ApplicationId { get; init; }

    public InteractionType Type { get; init; }

    public InteractionData? Data { get; init; }

    public string? GuildId { get; init; }

    public string? ChannelId { get; init; }

    public InteractionMember? Member { get; init; }

    public DiscordUser? User { get; init; }

    public required string Token { get; init; }

    public InteractionMessage? Message { get; init; }

    /// <summary>The invoking user: <c>member.user</c> in guilds, <c>user</c> in DMs.</summary>
    [JsonIgnore]
    public string UserId => Member?.User?.Id ?? User?.Id ?? "0";
}

internal sealed record InteractionMember(DiscordUser? User);

internal sealed record DiscordUser(string Id, string? Username = null);

internal sealed record InteractionData
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public IReadOnlyList<InteractionOption>? Options { get; init; }

    public ResolvedData? Resolved { get; init; }

    public string? CustomId { get; init; }

    public int? ComponentType { get; init; }
}

internal sealed record InteractionOption(string Name, int Type, JsonElement Value);

internal sealed record ResolvedData(IReadOnlyDictionary<string, Attachment>? Attachments);

internal sealed record Attachment
{
    public required string Id { get; init; }

    public string? Filename { get; init; }

    public long Size { get; init; }

    public required string Url { get; init; }

    public string? ProxyUrl { get; init; }

    public string? ContentType { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }
}

internal sealed record InteractionMessage
{
    public required string Id { get; init; }

    public IReadOnlyList<JsonElement>? Embeds { get; init; }

    public JsonElement? Interaction { get; init; }

    public JsonElement? InteractionMetadata { get; init; }
}
