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

    /// <summary>The member's client language (e.g. <c>de</c>, <c>pt-BR</c>); absent on pings.</summary>
    public string? Locale { get; init; }

    /// <summary>Where the command ran: 0 a server, 1 the bot's DM, 2 a group DM or another DM (user-installed app).</summary>
    public int? Context { get; init; }

    /// <summary>Installation type → the server or user id that installed the app for this interaction.</summary>
    public IReadOnlyDictionary<string, string>? AuthorizingIntegrationOwners { get; init; }

    /// <summary>The invoker's permissions in this channel (a decimal bit set); absent outside servers.</summary>
    [JsonIgnore]
    public string? MemberPermissions => Member?.Permissions;

    /// <summary>The invoking user: <c>member.user</c> in guilds, <c>user</c> in DMs.</summary>
    [JsonIgnore]
    public string UserId => Member?.User?.Id ?? User?.Id ?? "0";
}

internal sealed record InteractionMember(DiscordUser? User, string? Permissions = null);

internal sealed record DiscordUser(string Id, string? Username = null);

internal sealed record InteractionData
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public IReadOnlyList<InteractionOption>? Options { get; init; }

    public ResolvedData? Resolved { get; init; }

    public string? CustomId { get; init; }

    public int? ComponentType { get; init; }

    /// <summary>Application command type: 1 slash, 2 user, 3 message (context menu).</summary>
    public int? Type { get; init; }

    /// <summary>For context-menu commands: the message (or user) that was right-clicked.</summary>
    public string? TargetId { get; init; }
}

/// <summary>A command option; a subcommand (type 1) carries its own options instead of a value.</summary>
internal sealed record InteractionOption(string Name, int Type, JsonElement Value, IReadOnlyList<InteractionOption>? Options = null);

internal sealed record ResolvedData(
    IReadOnlyDictionary<string, Attachment>? Attachments,
    IReadOnlyDictionary<string, ResolvedMessage>? Messages = null);

/// <summary>A message resolved for a context-menu command: its attachments and (kept raw, as untrusted JSON) embeds.</summary>
internal sealed record ResolvedMessage
{
    public string? Id { get; init; }

    public IReadOnlyList<Attachment>? Attachments { get; init; }

    public IReadOnlyList<JsonElement>? Embeds { get; init; }
}

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
