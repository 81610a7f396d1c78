using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoodBot.Discord;

/// <summary>Discord speaks snake_case JSON and treats an absent field differently from null, so nulls are omitted.</summary>
internal static class DiscordJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>
    /// A string-valued element's text, else null. Strings are not UTF-8-validated while parsing, so
    /// <see cref="JsonElement.GetString"/> can still throw on them (an escaped lone surrogate): untrusted input must
    /// not get that far.
    /// </summary>
    public static string? StringOrNull(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
