using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// The one place interaction payloads become <see cref="Interaction"/>s, for both transports (HTTP body, gateway event).
/// Payloads are untrusted input (docs/fuzzing.md): anything that is not an interaction comes back as null, never as an
/// exception, so one malformed event can neither fail an HTTP request with a 500 nor drop the gateway connection.
/// </summary>
internal static class InteractionParser
{
    /// <summary>An HTTP-mode request body (already signature-checked).</summary>
    public static Interaction? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return Valid(JsonSerializer.Deserialize<Interaction>(body, DiscordJson.Options));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>d</c> of a gateway INTERACTION_CREATE dispatch.</summary>
    public static Interaction? Parse(JsonNode? data)
    {
        try
        {
            return Valid(data?.Deserialize<Interaction>(DiscordJson.Options));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // A node re-serialises itself first, and an escaped lone surrogate ("\ud800") throws InvalidOperationException there.
            return null;
        }
    }

    /// <summary>
    /// A string-valued element's text, else null. Elements kept as <see cref="JsonElement"/> (option values, embeds) are
    /// not UTF-8-validated while parsing, so <see cref="JsonElement.GetString"/> can still throw on them.
    /// </summary>
    public static string? StringOrNull(JsonElement element) => DiscordJson.StringOrNull(element);

    /// <summary>
    /// <c>required</c> only demands that a property be present; <c>"token": null</c> satisfies it. Without an id, an
    /// application id and a token the interaction cannot be answered, so it is not one.
    /// </summary>
    private static Interaction? Valid(Interaction? i) =>
        i is { Id.Length: > 0, ApplicationId.Length: > 0, Token.Length: > 0 } ? i : null;
}
