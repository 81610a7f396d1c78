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
        if (Parse(data) is { } interaction)
        {
            dispatcher.Dispatch(interaction, InteractionResponder.Rest);
        }
    }

    /// <summary>The interaction in a dispatch's <c>d</c>, or null when it is not one (the fuzzer drives this too).</summary>
    internal static Interaction? Parse(JsonElement data) => InteractionParser.Parse(JsonMarshal.GetRawUtf8Value(data));
}
