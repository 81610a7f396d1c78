using System.Text.Json;

namespace MoodBot.Discord.Gateway;

/// <summary>
/// Where the gateway hands INTERACTION_CREATE dispatches. The gateway only frames them; parsing, routing and answering
/// belong to whoever implements this. It is called on the shard's receive loop, so it must return quickly (start the
/// work, don't await it): heartbeat ACKs wait behind it.
/// </summary>
internal interface IGatewayInteractionSink
{
    /// <param name="data">The dispatch's <c>d</c>: untrusted JSON of any kind (not null or missing).</param>
    void OnInteractionCreate(JsonElement data);
}
