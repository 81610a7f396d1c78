using System.Globalization;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>
/// The short, CI-sized version of the load run (bench/MoodBot.LoadTest does 200 over 20 s with the real pipeline):
/// invariants only — every interaction deferred, every one answered, none twice. No timing asserts.
/// </summary>
public sealed class LoadSmokeTests : IAsyncLifetime
{
    private const int Interactions = 40;
    private const int Members = 20;
    private FakeDiscord _fake = null!;
    private BotHost _bot = null!;

    public async ValueTask InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        // Cooldown off (BotHost's default): a starved CI box could bunch a member's two asks, and the run must be all real ones.
        _bot = await BotHost.StartAsync(_fake);
    }

    public async ValueTask DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _fake.DisposeAsync();
        _fake.AssertConforming();
    }

    [Fact]
    public async Task MoodMusic_40From20MembersOver4Seconds_AllDeferredAllAnsweredNoneTwice()
    {
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var ledger = new InteractionLedger(_fake);

        for (var i = 0; i < Interactions; i++)
        {
            var member = (300_000_000_000_001_000L + (i % Members)).ToString(CultureInfo.InvariantCulture);
            var interaction = Payloads.MoodMusic(_fake.CdnUrl(), userId: member);
            ledger.Sent(interaction);
            await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var outcomes = await ledger.SettledAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        var summary = InteractionLedger.Summary(outcomes);
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.All(outcomes, o => Assert.True(o.Acknowledged && o.CallbackType == 5, summary));
        Assert.All(outcomes, o => Assert.True(o.Answered, summary));
        Assert.DoesNotContain(outcomes, o => o.Duplicated);
        Assert.Equal(Interactions, _bot.Recommender.Requests.Count);
        Assert.Equal(Members, _bot.Recommender.Requests.Select(r => r.UserKey).Distinct().Count());
    }
}
