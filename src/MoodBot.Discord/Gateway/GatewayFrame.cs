using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MoodBot.Discord.Gateway;

/// <summary>
/// One payload received from the gateway: <c>op</c>, <c>s</c>, <c>t</c> and the still-raw <c>d</c>. The envelope is read
/// field by field instead of deserialised because it comes off the network: a field of the wrong type (an <c>op</c> of
/// "zero", a <c>t</c> of 7, a string with a lone surrogate) makes that field unknown rather than throwing out of the
/// receive loop and dropping the connection for every member (docs/fuzzing.md). <see cref="Data"/> becomes a typed
/// payload (<see cref="HelloEvent"/>, <see cref="ReadyEvent"/>) once the opcode and event name say what it holds.
/// </summary>
/// <param name="Opcode">Null when <c>op</c> is missing or not an integer; may be a value this client does not know.</param>
/// <param name="Data">A copy that outlives the parsed document; <see cref="JsonValueKind.Undefined"/> when there is no <c>d</c>.</param>
internal sealed record GatewayFrame(GatewayOpcode? Opcode, long? Sequence, string? EventName, JsonElement Data)
{
    /// <returns>Null, with <paramref name="rejection"/> saying why, when the message is not a JSON object.</returns>
    public static GatewayFrame? Parse(ReadOnlyMemory<byte> utf8, out string? rejection)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException)
        {
            rejection = "not JSON";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                rejection = "not a JSON object";
                return null;
            }

            rejection = null;
            return new GatewayFrame(
                root.TryGetProperty("op", out var op) && op.ValueKind == JsonValueKind.Number && op.TryGetInt32(out var code) ? (GatewayOpcode)code : null,
                root.TryGetProperty("s", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var sequence) ? sequence : null,
                root.TryGetProperty("t", out var t) ? DiscordJson.StringOrNull(t) : null,
                root.TryGetProperty("d", out var d) ? d.Clone() : default);
        }
    }

    /// <summary><see cref="Data"/> as <typeparamref name="T"/>, or null when it is not an object of that shape.</summary>
    public T? DataAs<T>(JsonTypeInfo<T> type)
        where T : class
    {
        if (Data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return Data.Deserialize(type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
