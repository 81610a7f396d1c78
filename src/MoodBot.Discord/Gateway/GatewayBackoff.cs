namespace MoodBot.Discord.Gateway;

/// <summary>How long to wait after failed attempts at reaching Discord.</summary>
internal static class GatewayBackoff
{
    /// <summary>1 s doubling to 60 s, with jitter so shards (and instances) don't retry in step.</summary>
    public static TimeSpan Delay(int failures) =>
        failures <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures - 1)) * (0.75 + (Random.Shared.NextDouble() * 0.5)));
}
