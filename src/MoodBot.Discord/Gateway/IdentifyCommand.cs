namespace MoodBot.Discord.Gateway;

/// <summary>The <c>d</c> of Identify (op 2).</summary>
/// <param name="Intents">The event groups to receive. Interactions arrive without any intent, so this client asks for none.</param>
/// <param name="Shard"><c>[shard_id, num_shards]</c>.</param>
internal sealed record IdentifyCommand(string Token, int Intents, IdentifyConnectionProperties Properties, int[] Shard)
{
    /// <summary>Without the token (a record would print it).</summary>
    public override string ToString() => $"Identify shard [{string.Join(',', Shard)}]";
}
