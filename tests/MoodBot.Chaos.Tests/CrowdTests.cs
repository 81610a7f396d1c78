using System.Diagnostics;
using System.Globalization;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Chaos.Tests;

/// <summary>
/// The crowd of issue 16, small enough for CI (bench/MoodBot.LoadTest <c>crowd</c> is the full 40 × 49 MP run): with one
/// analysis at a time and no queue, members who arrive together get the busy message, the rest their answer, none
/// nothing and none two.
/// </summary>
public sealed class CrowdTests : IDisposable
{
    private const int Members = 8;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-crowd-");

    [Fact]
    public async Task Crowd_LimitOneNoQueue_EveryMemberAnsweredOrToldBusy()
    {
        await using var fake = await FakeDiscord.StartAsync();
        var png = CrowdPhoto.Png(2500, 4);
        fake.CdnFiles["crowd.png"] = (png, "image/png");
        fake.KeepUploads = false;
        var env = GatewayBot.Environment(fake, _dir.FullName);
        env["MoodBot__Vision__MaxConcurrentAnalyses"] = "1";
        env["MoodBot__Vision__MaxQueuedAnalyses"] = "0";
        await using var bot = BotProcess.Start(env);
        var gateway = await GatewayBot.ConnectAsync(fake, bot);

        // The CDN holds every download until all members have asked, then lets them finish together, so they reach the
        // analysis at the same moment however fast or slow this machine is.
        fake.CdnGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ledger = new InteractionLedger(fake);
        for (var i = 0; i < Members; i++)
        {
            var interaction = Payloads.MoodMusic(fake.CdnUrl("crowd.png"), width: 2500, height: 2500, size: png.Length,
                userId: (360_000_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture));
            ledger.Sent(interaction);
            await GatewayBot.Send(gateway, interaction);
        }

        var clock = Stopwatch.StartNew();
        while (fake.CdnArrivals < Members)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"only {fake.CdnArrivals} downloads started:\n{bot.Output}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        fake.CdnGate.TrySetResult();
        var outcomes = await ledger.SettledAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        var summary = InteractionLedger.Summary(outcomes);
        var busy = outcomes.Count(o => o.ClearError && o.ErrorText?.Contains("busy", StringComparison.Ordinal) == true);
        var answered = outcomes.Count(o => o.Answered);
        Assert.True(answered >= 1, summary);
        Assert.True(busy >= 1, summary);
        Assert.Equal(Members, answered + busy);
        Assert.DoesNotContain(outcomes, o => o.Duplicated);
        Assert.Contains(outcomes, o => o.ErrorText == "I'm busy with a lot of photos right now — please try again in a moment.");
        fake.AssertConforming();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }
}
