namespace MoodBot.Discord.Gateway;

/// <summary>Identify's <c>properties</c>: the client's OS and the library's name (Discord shows neither to users).</summary>
internal sealed record IdentifyConnectionProperties(string Os, string Browser, string Device);
