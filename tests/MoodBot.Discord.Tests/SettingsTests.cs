using MoodBot.Core;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>/moodbot-settings through the fake Discord, and its effect on /moodmusic.</summary>
public sealed class SettingsTests : BotTestBase
{
    private const string PublicChannel = "420000000000000042";
    private const string OtherChannel = "430000000000000043";

    [Fact]
    public async Task Set_ModeCountAndPrivateReplies_ApplyToMoodMusicUnlessTheMemberPicks()
    {
        var set = Payloads.Settings("set", 32, ("mode", 3, "lift"), ("count", 4, 7), ("replies", 3, "private"));
        await Send(set);
        var saved = await EditOf(set);

        var plain = Payloads.MoodMusic(Fake.CdnUrl());
        await Send(plain);
        var plainDefer = await CallbackOf(plain);
        await EditOf(plain);
        var picked = Payloads.MoodMusic(Fake.CdnUrl(), extra: [("mode", 3, "match"), ("count", 4, 12)]);
        await Send(picked);
        await EditOf(picked);

        var text = saved.Json!.Value.GetProperty("content").GetString()!;
        Assert.Contains("Default mode: lift\n", text, StringComparison.Ordinal);
        Assert.Contains("Default track count: 7\n", text, StringComparison.Ordinal);
        Assert.Contains("Replies: private", text, StringComparison.Ordinal);
        Assert.Equal(64, plainDefer.Json!.Value.GetProperty("data").GetProperty("flags").GetInt32());
        var requests = Bot.Recommender.Requests.ToList();
        Assert.Equal((RecommendationMode.Lift, 7), (requests[0].Mode, requests[0].Count));
        Assert.Equal((RecommendationMode.Match, 12), (requests[1].Mode, requests[1].Count));
    }

    [Fact]
    public async Task PublicChannel_Listed_PublicThereAndPrivateElsewhere()
    {
        var add = Payloads.Settings("add-public-channel", 32, ("channel", 7, PublicChannel));
        await Send(add);
        var saved = await EditOf(add);

        var there = Payloads.InChannel(Payloads.MoodMusic(Fake.CdnUrl()), PublicChannel);
        await Send(there);
        var thereDefer = await CallbackOf(there);
        var elsewhere = Payloads.InChannel(Payloads.MoodMusic(Fake.CdnUrl()), OtherChannel);
        await Send(elsewhere);
        var elsewhereDefer = await CallbackOf(elsewhere);

        Assert.Contains($"public in <#{PublicChannel}>, private everywhere else", saved.Json!.Value.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.False(thereDefer.Json!.Value.TryGetProperty("data", out _));
        Assert.Equal(64, elsewhereDefer.Json!.Value.GetProperty("data").GetProperty("flags").GetInt32());
        var stored = await Store.GetAsync("600000000000000006", TestContext.Current.CancellationToken);
        Assert.Equal([PublicChannel], stored!.Channels);
    }

    [Fact]
    public async Task Set_Cooldown_OverridesTheBotDefault()
    {
        var set = Payloads.Settings("set", 32, ("cooldown", 4, 600));
        await Send(set);
        await EditOf(set);

        var first = Payloads.MoodMusic(Fake.CdnUrl());
        await Send(first);
        await EditOf(first);
        var second = Payloads.MoodMusic(Fake.CdnUrl());
        await Send(second);
        var refused = await CallbackOf(second);

        Assert.Equal(4, refused.Json!.Value.GetProperty("type").GetInt32());
        Assert.Contains("again in", refused.Json.Value.GetProperty("data").GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Single(Bot.Recommender.Requests);
    }

    [Fact]
    public async Task Set_WithoutManageServer_RefusedAndNothingSaved()
    {
        var set = Payloads.Settings("set", 0, ("mode", 3, "lift"));
        await Send(set);

        var callback = await CallbackOf(set);

        Assert.Equal(4, callback.Json!.Value.GetProperty("type").GetInt32());
        Assert.Equal(64, callback.Json.Value.GetProperty("data").GetProperty("flags").GetInt32());
        Assert.Contains("Manage Server", callback.Json.Value.GetProperty("data").GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Null(await Store.GetAsync("600000000000000006", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task View_NothingSet_ShowsTheBotDefaultsPrivately()
    {
        var view = Payloads.Settings("view", 0);
        await Send(view);

        var callback = await CallbackOf(view);
        var edit = await EditOf(view);

        Assert.Equal(64, callback.Json!.Value.GetProperty("data").GetProperty("flags").GetInt32());
        Assert.Equal(
            "**MoodBot settings for this server**\n• Cooldown per member: 0 s (bot default)\n• Default mode: match (bot default)\n" +
            "• Default track count: 10 (bot default)\n• Replies: public (bot default)",
            edit.Json!.Value.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Reset_AfterChanges_BackToDefaults()
    {
        var set = Payloads.Settings("set", 32, ("mode", 3, "lift"));
        await Send(set);
        await EditOf(set);
        var reset = Payloads.Settings("reset", 32);
        await Send(reset);
        await EditOf(reset);

        Assert.Equal(new GuildSettings("600000000000000006"), await Store.GetAsync("600000000000000006", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Start_RegistersSettingsForServerAdminsInServersOnly()
    {
        var put = await Fake.NextRequestAsync(r => r.Method == "PUT");

        var command = put.Json!.Value.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "moodbot-settings");
        Assert.Equal(32, command.GetProperty("default_member_permissions").GetInt64());
        Assert.Equal([0], command.GetProperty("contexts").EnumerateArray().Select(x => x.GetInt32()));
        Assert.Equal([0], command.GetProperty("integration_types").EnumerateArray().Select(x => x.GetInt32()));
        var subs = command.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        Assert.Equal(["view", "set", "add-public-channel", "remove-public-channel", "reset"], subs);
    }

    private IGuildSettingsStore Store => (IGuildSettingsStore)Bot.Services.GetService(typeof(IGuildSettingsStore))!;
}
