using System.Text.Json.Nodes;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>A fake Discord, the real bot on it and its gateway session, for tests that send interactions and read the REST calls.</summary>
public abstract class BotTestBase : IAsyncLifetime
{
    internal FakeDiscord Fake { get; private set; } = null!;

    internal BotHost Bot { get; private set; } = null!;

    internal FakeGatewayConnection Gateway { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        Fake = await FakeDiscord.StartAsync();
        await StartBotAsync(null);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Fake.DisposeAsync();
        Fake.AssertConforming();
        GC.SuppressFinalize(this);
    }

    internal static string Original(JsonObject i) => $"/webhooks/{FakeDiscord.ApplicationId}/{i["token"]}/messages/@original";

    internal static string Webhook(JsonObject i) => $"/webhooks/{FakeDiscord.ApplicationId}/{i["token"]}";

    internal static string Callback(JsonObject i) => $"/interactions/{i["id"]}/{i["token"]}/callback";

    internal Task Send(JsonObject interaction) => Gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);

    internal Task<RecordedRequest> CallbackOf(JsonObject i) => Fake.NextRequestAsync(r => r.Method == "POST" && r.Path == Callback(i));

    internal Task<RecordedRequest> EditOf(JsonObject i) => Fake.NextRequestAsync(r => r.Is("PATCH", Original(i)));

    internal Task<RecordedRequest> FollowupOf(JsonObject i) => Fake.NextRequestAsync(r => r.Method == "POST" && r.Path == Webhook(i));

    internal async Task StartBotAsync(Action<Dictionary<string, string?>>? configure, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        Bot = await BotHost.StartAsync(Fake, configure, services: services);
        (Gateway, _) = await Fake.AcceptSessionAsync();
    }

    internal async Task RestartBotAsync(Action<Dictionary<string, string?>>? configure,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        await Bot.DisposeAsync();
        await StartBotAsync(configure, services);
    }
}
