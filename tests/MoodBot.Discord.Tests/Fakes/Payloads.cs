using System.Text.Json.Nodes;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>Interaction objects shaped like Discord's (docs: interactions/receiving-and-responding).</summary>
internal static class Payloads
{
    public const string UserId = "300000000000000003";
    public const string OtherUserId = "300000000000000004";

    private static int _next;

    public static string NewId() => (500000000000000000L + Interlocked.Increment(ref _next)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static JsonObject MoodMusic(string url, string? proxyUrl = null, int width = 800, int height = 600, long size = 12_345,
        string contentType = "image/png", string userId = UserId, params (string Name, int Type, JsonNode Value)[] extra)
    {
        var options = new JsonArray { new JsonObject { ["name"] = "photo", ["type"] = 11, ["value"] = "900" } };
        foreach (var (name, type, value) in extra)
        {
            options.Add(new JsonObject { ["name"] = name, ["type"] = type, ["value"] = value });
        }

        return Interaction(2, userId, new JsonObject
        {
            ["id"] = "700000000000000007",
            ["name"] = "moodmusic",
            ["type"] = 1,
            ["options"] = options,
            ["resolved"] = new JsonObject
            {
                ["attachments"] = new JsonObject
                {
                    ["900"] = new JsonObject
                    {
                        ["id"] = "900",
                        ["filename"] = "photo.png",
                        ["size"] = size,
                        ["url"] = url,
                        ["proxy_url"] = proxyUrl ?? url,
                        ["content_type"] = contentType,
                        ["width"] = width,
                        ["height"] = height,
                    },
                },
            },
        });
    }

    /// <summary>The message context-menu command on a message with these attachments and embeds.</summary>
    public static JsonObject MessageCommand(JsonArray attachments, JsonArray? embeds = null, string userId = UserId)
    {
        const string messageId = "210000000000000021";
        return Interaction(2, userId, new JsonObject
        {
            ["id"] = "700000000000000009",
            ["name"] = "Music for this photo",
            ["type"] = 3,
            ["target_id"] = messageId,
            ["resolved"] = new JsonObject
            {
                ["messages"] = new JsonObject
                {
                    [messageId] = new JsonObject
                    {
                        ["id"] = messageId,
                        ["channel_id"] = "400000000000000004",
                        ["content"] = "look at us",
                        ["author"] = new JsonObject { ["id"] = OtherUserId, ["username"] = "poster" },
                        ["attachments"] = attachments,
                        ["embeds"] = embeds ?? [],
                    },
                },
            },
        });
    }

    public static JsonObject ImageAttachment(string url, string contentType = "image/png", int width = 800, int height = 600) => new()
    {
        ["id"] = "901",
        ["filename"] = "group.png",
        ["size"] = 12_345,
        ["url"] = url,
        ["proxy_url"] = url,
        ["content_type"] = contentType,
        ["width"] = width,
        ["height"] = height,
    };

    /// <summary>
    /// The same interaction as a member who installed MoodBot to their account sends it outside a server: no guild and
    /// no member, the invoker in <c>user</c>, <c>context</c> 1 (the bot's DM) or 2 (another DM or a group DM), and
    /// the user install as the authorizing integration.
    /// </summary>
    public static JsonObject FromUserInstall(JsonObject interaction, int context)
    {
        var userId = interaction["member"]!["user"]!["id"]!.GetValue<string>();
        interaction.Remove("guild_id");
        interaction.Remove("member");
        interaction["user"] = new JsonObject { ["id"] = userId, ["username"] = "member" };
        interaction["channel_id"] = "410000000000000041";
        interaction["context"] = context;
        interaction["authorizing_integration_owners"] = new JsonObject { ["1"] = userId };
        return interaction;
    }

    /// <summary>Used in a server the bot user is not in, through the member's own install.</summary>
    public static JsonObject InForeignServer(JsonObject interaction)
    {
        var userId = interaction["member"]!["user"]!["id"]!.GetValue<string>();
        interaction["guild_id"] = "610000000000000061";
        interaction["context"] = 0;
        interaction["authorizing_integration_owners"] = new JsonObject { ["1"] = userId };
        return interaction;
    }

    /// <summary><c>/moodbot-settings {sub} …</c> from a member with these permission bits (32: Manage Server).</summary>
    public static JsonObject Settings(string sub, long permissions = 32, params (string Name, int Type, JsonNode Value)[] options)
    {
        var subOptions = new JsonArray();
        foreach (var (name, type, value) in options)
        {
            subOptions.Add(new JsonObject { ["name"] = name, ["type"] = type, ["value"] = value });
        }

        var i = Interaction(2, UserId, new JsonObject
        {
            ["id"] = "700000000000000010",
            ["name"] = "moodbot-settings",
            ["type"] = 1,
            ["options"] = new JsonArray { new JsonObject { ["name"] = sub, ["type"] = 1, ["options"] = subOptions } },
        });
        i["member"]!["permissions"] = permissions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return i;
    }

    public static JsonObject InChannel(JsonObject interaction, string channelId)
    {
        interaction["channel_id"] = channelId;
        return interaction;
    }

    public static JsonObject Command(string name, string userId = UserId) =>
        Interaction(2, userId, new JsonObject { ["id"] = "700000000000000008", ["name"] = name, ["type"] = 1 });

    /// <summary>A button click on a message whose embed is <paramref name="embed"/> (as the bot sent it).</summary>
    public static JsonObject Click(string customId, JsonNode? embed, string userId = UserId)
    {
        var i = Interaction(3, userId, new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 });
        i["message"] = new JsonObject
        {
            ["id"] = "200000000000000002",
            ["channel_id"] = "400000000000000004",
            ["content"] = string.Empty,
            ["embeds"] = embed is null ? new JsonArray() : new JsonArray(embed.DeepClone()),
        };
        return i;
    }

    public static JsonObject Ping() => new()
    {
        ["id"] = NewId(),
        ["application_id"] = FakeDiscord.ApplicationId,
        ["type"] = 1,
        ["token"] = "ping-token",
        ["version"] = 1,
    };

    private static JsonObject Interaction(int type, string userId, JsonObject data)
    {
        var id = NewId();
        return new JsonObject
        {
            ["id"] = id,
            ["application_id"] = FakeDiscord.ApplicationId,
            ["type"] = type,
            ["data"] = data,
            ["guild_id"] = "600000000000000006",
            ["channel_id"] = "400000000000000004",
            ["member"] = new JsonObject { ["user"] = new JsonObject { ["id"] = userId, ["username"] = "member" }, ["roles"] = new JsonArray() },
            ["token"] = "itoken-" + id,
            ["version"] = 1,
            ["locale"] = "en-US",
        };
    }
}
