using System.Text.Json.Serialization;

namespace MoodBot.Discord.Gateway;

/// <summary>A payload this client sends: <c>{"op": …, "d": …}</c>.</summary>
/// <param name="D">Written even when null: a first heartbeat is <c>{"op":1,"d":null}</c>, and Discord wants the field.</param>
internal sealed record GatewayPayload<T>(GatewayOpcode Op, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] T D);
