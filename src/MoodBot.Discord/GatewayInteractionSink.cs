using System.Runtime.InteropServices;
using System.Text.Json;
using MoodBot.Discord.Gateway;
using MoodBot.Discord.Interactions;

namespace MoodBot.Discord;

/// <summary>
/// Where the bot meets the gateway: an INTERACTION_CREATE's <c>d</c> goes to the <see cref="InteractionDispatcher"/>,
/// answered over REST. The payload's own bytes go through the parser an HTTP-mode body goes through, so both transports
/// accept exactly the same interactions.
/// </summary>
internal sealed class GatewayInteractionSink(InteractionDispatcher dispatcher) : IGatewayInteractionSink
{
    public void OnInteractionCreate(JsonElement data)
    {
        if (InteractionParser.Parse(JsonMarshal.GetRawUtf8Value(data)) is { } interaction)
        {
            dispatcher.Dispatch(interaction, InteractionResponder.Rest);
        }
    }
}
