using System.Text;
using System.Text.Json.Nodes;

namespace MoodBot.Fuzz;

/// <summary>Structure-aware JSON mutations: pick a node of the tree, then retype, null, drop, grow or nest it.</summary>
public static class JsonMutations
{
    private static readonly string[] Keys =
    [
        "id", "application_id", "type", "data", "guild_id", "channel_id", "member", "user", "token", "message", "name", "options",
        "resolved", "attachments", "custom_id", "component_type", "value", "url", "proxy_url", "size", "width", "height",
        "content_type", "filename", "embeds", "description", "interaction", "interaction_metadata", "username", "__proto__", "",
    ];

    private static readonly string[] Strings =
    [
        "", " ", "moodmusic", "photo", "mood", "mode", "count", "playlist", "lift", "happy", "mm:s:0:10:1:00000000000000",
        "mm:m:1:99999999999:123:ffffffffffffff", "mm:l:0:5:" + new string('9', 21) + ":01020304050607", "mm:", "mm:::::",
        "https://cdn.discordapp.com/attachments/1/2/a.jpg", "https://media.discordapp.net/x.png?ex=1", "http://cdn.discordapp.com/a.jpg",
        "https://user:pw@cdn.discordapp.com/a.jpg", "https://cdn.discordapp.com:444/a.jpg", "https://evil.example/a.jpg", "file:///etc/passwd",
        "//cdn.discordapp.com/a.jpg", "https://xn--cdn-discordapp-0000.com/a", "image/jpeg", "image/svg+xml", "image/jpeg; charset=\"x",
        "text/html", ";;;", "\u0000", "\ud83d\ude00", "\u202e\u0041", "\uFEFF", "a\nb", "\\", "\"", "NaN", "-0", "1e309",
        "18446744073709551616", "9223372036854775807", "-1", "0x10", "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
    ];

    private static readonly string[] NumberTexts =
    [
        "0", "-1", "1", "2", "3", "4", "5", "11", "99", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
        "9223372036854775808", "18446744073709551616", "1e308", "-1e308", "1e-400", "0.5", "-0", "123456789012345678901234567890",
        "1.0", "3e2",
    ];

    public static JsonNode Mutate(JsonNode root, Random rng)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(rng);
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[rng.Next(nodes.Count)];
        var replacement = rng.Next(12) switch
        {
            0 => null,
            1 => RandomScalar(rng),
            2 => Nest(rng.Next(6) != 0 ? 1 + rng.Next(20) : 60 + rng.Next(200), rng),
            3 => new JsonArray([.. Enumerable.Range(0, rng.Next(2) == 0 ? rng.Next(5) : 1000 + rng.Next(20000)).Select(_ => RandomScalar(rng))]),
            4 => SnowflakeAsNumber(target),
            5 => JsonValue.Create(rng.Next(2) == 0 ? new string('x', 100_000) : Strings[rng.Next(Strings.Length)] + new string('é', rng.Next(40))),
            6 => new JsonObject(),
            _ => ChangeObject(target, rng),
        };

        if (target == root)
        {
            return replacement ?? JsonValue.Create(0);
        }

        Replace(target, replacement?.DeepClone());
        return root;
    }

    /// <summary>Text-level damage that a tree cannot express: duplicate keys, truncation, invalid UTF-8, BOMs, comments.</summary>
    public static byte[] TextLevel(string json, Random rng)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(rng);
        var bytes = Encoding.UTF8.GetBytes(json);
        switch (rng.Next(6))
        {
            case 0:
                // Duplicate the first property of the top object: {"id":"1","id":"1",...}.
                var comma = json.IndexOf(",\"", StringComparison.Ordinal);
                return comma > 1 ? Encoding.UTF8.GetBytes("{" + json[1..comma] + "," + json[1..]) : bytes;
            case 1:
                return [0xEF, 0xBB, 0xBF, .. bytes];
            case 2:
                return [.. bytes, 0xC3, 0x28, 0xFF, 0xFE];
            case 3:
                return Encoding.UTF8.GetBytes("/* c */" + json + "// c");
            case 4:
                return [.. bytes, .. bytes];
            default:
                return bytes[..rng.Next(bytes.Length + 1)];
        }
    }

    private static JsonNode? ChangeObject(JsonNode target, Random rng)
    {
        switch (target)
        {
            case JsonObject o when o.Count > 0 && rng.Next(2) == 0:
            {
                // Drop a field (missing required ones, missing value, missing resolved...).
                var copy = (JsonObject)o.DeepClone();
                copy.Remove(copy.ElementAt(rng.Next(copy.Count)).Key);
                return copy;
            }

            case JsonObject o:
            {
                var copy = (JsonObject)o.DeepClone();
                copy[Keys[rng.Next(Keys.Length)]] = RandomScalar(rng);
                return copy;
            }

            case JsonArray a when a.Count > 0:
            {
                var copy = (JsonArray)a.DeepClone();
                copy.Add(copy[rng.Next(copy.Count)]?.DeepClone());
                return copy;
            }

            default:
                return RandomScalar(rng);
        }
    }

    private static JsonValue SnowflakeAsNumber(JsonNode target) =>
        target is JsonValue v && v.TryGetValue<string>(out var s) && ulong.TryParse(s, out var n) ? JsonValue.Create(n) : JsonValue.Create(1234567890123456789UL);

    private static JsonNode? RandomScalar(Random rng) => rng.Next(5) switch
    {
        0 => null,
        1 => JsonValue.Create(rng.Next(2) == 0),
        2 => JsonNode.Parse(NumberTexts[rng.Next(NumberTexts.Length)]),
        _ => JsonValue.Create(Strings[rng.Next(Strings.Length)]),
    };

    private static JsonNode Nest(int depth, Random rng)
    {
        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < depth; i++)
        {
            node = rng.Next(2) == 0 ? new JsonArray(node) : new JsonObject { ["value"] = node };
        }

        return node;
    }

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        if (node is null)
        {
            return;
        }

        into.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o)
                {
                    Collect(v, into);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Collect(v, into);
                }

                break;
        }
    }

    private static void Replace(JsonNode target, JsonNode? replacement)
    {
        switch (target.Parent)
        {
            case JsonObject o:
                o[target.GetPropertyName()] = replacement;
                break;
            case JsonArray a:
                a[target.GetElementIndex()] = replacement;
                break;
        }
    }
}
