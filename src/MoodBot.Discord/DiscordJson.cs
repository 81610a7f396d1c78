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
}
