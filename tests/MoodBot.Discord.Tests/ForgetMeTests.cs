using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>/forget-me through the fake Discord: private deferral, everything deleted, and a reply that says what.</summary>
public sealed class ForgetMeTests : BotTestBase
{
    [Fact]
    public async Task ForgetMe_LinkedMemberWithHistory_DeletesAllAndSaysWhat()
    {
        var eraser = new RecordingEraser(new MemberDataDeletion(RecommendationRows: 3, SpotifyLink: false, PendingLinks: 0, CooldownRows: 1));
        await RestartBotAsync(null, s => s.AddSingleton<IMemberDataEraser>(eraser));
        Bot.Spotify.Linked[Payloads.UserId] = true;
        var interaction = Payloads.Command("forget-me");
        await Send(interaction);

        var callback = await CallbackOf(interaction);
        var edit = await EditOf(interaction);

        Assert.Equal(5, callback.Json!.Value.GetProperty("type").GetInt32());
        Assert.Equal(64, callback.Json.Value.GetProperty("data").GetProperty("flags").GetInt32());
        Assert.Equal((Payloads.UserId, "discord:" + Payloads.UserId), Assert.Single(eraser.Calls));
        Assert.False(Bot.Spotify.Linked.ContainsKey(Payloads.UserId));
        Assert.Equal(
            "Done — I deleted your recommendation history (3 entries), your Spotify link and its tokens, your cooldown. " +
            "Photos are never stored, so there were none to delete.",
            edit.Json!.Value.GetProperty("content").GetString());
    }

    [Fact]
    public async Task ForgetMe_NothingStored_SaysSo()
    {
        var interaction = Payloads.Command("forget-me");
        await Send(interaction);

        var edit = await EditOf(interaction);

        Assert.StartsWith("I had nothing stored about you.", edit.Json!.Value.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgetMe_WithoutStorage_ClearsTheRunningCooldown()
    {
        await RestartBotAsync(c => c["MoodBot:Discord:CooldownSeconds"] = "600");
        var first = Payloads.MoodMusic(Fake.CdnUrl());
        await Send(first);
        await EditOf(first);

        var forget = Payloads.Command("forget-me");
        await Send(forget);
        var confirmation = await EditOf(forget);
        var again = Payloads.MoodMusic(Fake.CdnUrl());
        await Send(again);
        await EditOf(again);

        Assert.Contains("your cooldown", confirmation.Json!.Value.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, Bot.Recommender.Requests.Count);
    }

    [Fact]
    public async Task Start_RegistersForgetMeEverywhere()
    {
        var put = await Fake.NextRequestAsync(r => r.Method == "PUT");

        var command = put.Json!.Value.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "forget-me");
        Assert.Equal([0, 1], command.GetProperty("integration_types").EnumerateArray().Select(x => x.GetInt32()));
    }

    private sealed class RecordingEraser(MemberDataDeletion result) : IMemberDataEraser
    {
        public ConcurrentQueue<(string Member, string HistoryKey)> Calls { get; } = new();

        public Task<MemberDataDeletion> ForgetAsync(string memberId, string historyUserKey, CancellationToken cancellationToken)
        {
            Calls.Enqueue((memberId, historyUserKey));
            return Task.FromResult(result);
        }
    }
}
