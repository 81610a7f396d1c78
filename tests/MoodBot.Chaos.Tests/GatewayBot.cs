using System.Diagnostics;
using System.Text.Json.Nodes;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Chaos.Tests;

/// <summary>The bot as a real process in gateway mode on the fake Discord (REST, gateway and CDN on loopback).</summary>
internal static class GatewayBot
{
    /// <summary>Settings for a bot on <paramref name="fake"/> with its SQLite file in <paramref name="dir"/>, no cooldown.</summary>
    public static Dictionary<string, string?> Environment(FakeDiscord fake, string dir) => new()
    {
        ["MoodBot__Discord__Token"] = FakeDiscord.Token,
        ["MoodBot__Discord__ApplicationId"] = FakeDiscord.ApplicationId,
        ["MoodBot__Discord__ApiBaseUrl"] = fake.ApiBase.ToString(),
        ["MoodBot__Discord__CdnHosts__0"] = fake.Origin,
        ["MoodBot__Discord__CooldownSeconds"] = "0",
        ["MoodBot__Storage__SqlitePath"] = Path.Combine(dir, "moodbot.db"),
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        ["Logging__LogLevel__Polly"] = "None",
    };

    /// <summary>
    /// The bot's next gateway session (Hello, Identify, READY). Waits as long as a start takes on a slow machine, polling
    /// rather than assuming a duration; fails early with the output when the process exits instead.
    /// </summary>
    public static async Task<FakeGatewayConnection> ConnectAsync(FakeDiscord fake, BotProcess bot)
    {
        var clock = Stopwatch.StartNew();
        while (await fake.NoConnectionWithinAsync(TimeSpan.FromMilliseconds(500)))
        {
            if (bot.HasExited)
            {
                Assert.Fail($"the bot exited before connecting to the gateway:\n{bot.Output}");
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                Assert.Fail($"no gateway connection within 2 minutes:\n{bot.Output}");
            }
        }

        var (connection, _) = await fake.AcceptSessionAsync();
        return connection;
    }

    /// <summary>Dispatches a copy, so that the same interaction can be delivered again (a node has one parent).</summary>
    public static Task Send(FakeGatewayConnection gateway, JsonObject interaction) =>
        gateway.SendDispatchAsync("INTERACTION_CREATE", interaction.DeepClone());

    /// <summary>Every answer the fake accepted for <paramref name="interaction"/> (its callback and its webhook calls).</summary>
    public static int AnswersFor(FakeDiscord fake, JsonObject interaction)
    {
        var token = interaction["token"]!.GetValue<string>();
        return fake.Answers.Count(a => a.Status is >= 200 and < 300 && a.Request.Path.Contains("/" + token, StringComparison.Ordinal));
    }
}
