using System.Text.Json.Serialization;

namespace MoodBot.Discord.Gateway;

/// <summary>
/// Source-generated (de)serialisation of the gateway's typed payloads: snake_case like the rest of Discord's API, no
/// reflection on the receive loop. Strict about types, unlike <see cref="DiscordJson.Options"/>: a Hello whose interval is
/// a string is a Hello without an interval.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HelloEvent))]
[JsonSerializable(typeof(ReadyEvent))]
[JsonSerializable(typeof(GatewayPayload<IdentifyCommand>), TypeInfoPropertyName = "IdentifyPayload")]
[JsonSerializable(typeof(GatewayPayload<ResumeCommand>), TypeInfoPropertyName = "ResumePayload")]
[JsonSerializable(typeof(GatewayPayload<long?>), TypeInfoPropertyName = "HeartbeatPayload")]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
