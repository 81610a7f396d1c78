using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Tests.Fakes;
using MoodBot.Music;

namespace MoodBot.Faults.Tests;

/// <summary>A fresh install: nothing imported, no Spotify. The shipped catalog is seeded in the background at start.</summary>
public sealed partial class CrossFeatureFaultTests
{
    [Fact]
    public async Task FreshInstall_NoImportNoSpotify_AnswersWithTracksFromTheShippedCatalog()
    {
        await using var bot = await RealBot.StartAsync(_fake, importCatalog: false);
        var (gateway, _) = await _fake.AcceptSessionAsync();
        var seeder = bot.Services.GetRequiredService<CatalogSeeder>();
        await WaitForAsync(() => seeder.Status.State is CatalogSeedState.Ready or CatalogSeedState.Failed, TimeSpan.FromSeconds(60));
        Assert.Equal(CatalogSeedState.Ready, seeder.Status.State);

        var outcome = (await BurstAsync(gateway, 1)).Single();
        Assert.True(outcome.Answered, InteractionLedger.Summary([outcome]));
        var ids = TrackIds(Description(outcome));
        var shipped = ShippedCatalog.Read(seeder.SeedPath).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        Report($"fresh install: seeded {seeder.Status.Written} tracks ({seeder.Status.Detail}); reply listed {ids.Count} tracks");
        Assert.InRange(ids.Count, 5, 20);
        Assert.All(ids, id => Assert.Contains(id, shipped));
    }

    [Fact]
    public async Task Seeding_LargeCatalogInTheBackground_DeferralsStillWithinDiscordsThreeSeconds()
    {
        // A synthetic catalog big enough that seeding SQLite takes several seconds, so the interactions land mid-seed.
        var dir = Directory.CreateTempSubdirectory("moodbot-seed-");
        var file = Path.Combine(dir.FullName, "big.csv.gz");
        await using (var stream = File.Create(file))
        {
            ShippedCatalog.Write(stream, SyntheticTracks(30_000));
        }

        try
        {
            await using var bot = await RealBot.StartAsync(_fake, importCatalog: false, configure: c => c["MoodBot:Music:SeedCatalogPath"] = file);
            var (gateway, _) = await _fake.AcceptSessionAsync();
            var seeder = bot.Services.GetRequiredService<CatalogSeeder>();
            await WaitForAsync(() => seeder.Status is { State: CatalogSeedState.Seeding, Written: > 0 }, TimeSpan.FromSeconds(60));

            var outcomes = new List<InteractionOutcome>();
            for (var i = 0; i < 3; i++)
            {
                var member = (300_000_000_000_009_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var interaction = PhotoInteraction("bbt2.jpg", member);
                await Send(gateway, interaction);
                var id = interaction["id"]!.GetValue<string>();
                await WaitForAsync(() => _ledger.Outcomes().Single(o => o.Id == id).Acknowledged, TimeSpan.FromSeconds(30));
                // The deferral must have happened while the seed was still being written, or this test proves nothing.
                var outcome = _ledger.Outcomes().Single(o => o.Id == id);
                Assert.True(seeder.Status.State == CatalogSeedState.Seeding,
                    $"seeding ended ({seeder.Status.Detail}) before deferral {i + 1} (which took {outcome.ReceiveToCallback}); " +
                    "the synthetic catalog is too small for this machine");
                outcomes.Add(outcome);
            }

            var settled = await _ledger.SettledAsync(TimeSpan.FromSeconds(60), Ct);
            Report("deferrals while seeding: " + string.Join(", ", outcomes.Select(o => $"{o.ReceiveToCallback!.Value.TotalMilliseconds:0} ms")) +
                   $"; {InteractionLedger.Summary(settled)}; seed: {seeder.Status.Written} of {seeder.Status.Total} written");
            Assert.All(outcomes, o => Assert.Equal(5, o.CallbackType));
            Assert.All(outcomes, o => Assert.True(o.ReceiveToCallback < TimeSpan.FromSeconds(3), $"deferral took {o.ReceiveToCallback}"));
            Assert.All(settled, o => Assert.True(o.Answered && !o.Duplicated, InteractionLedger.Summary(settled)));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static IEnumerable<Track> SyntheticTracks(int count)
    {
        const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var rng = new Random(19);
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        while (ids.Count < count)
        {
            ids.Add(string.Create(22, rng, (span, r) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = Base62[r.Next(62)];
                }
            }));
        }

        var n = 0;
        foreach (var id in ids)
        {
            n++;
            yield return new Track(id, $"Synthetic {n}", [$"Artist {n % 5000}"], ["pop"], rng.Next(101),
                Math.Round(rng.NextDouble(), 3), Math.Round(rng.NextDouble(), 3));
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"not reached within {timeout}");
            await Task.Delay(20, Ct);
        }
    }
}
