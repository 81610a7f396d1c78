namespace MoodBot.Fuzz.Tests;

/// <summary>
/// The CI half of fuzzing (docs/fuzzing.md): every seed and every committed corpus input goes through the same entry
/// points and the same crash/hang classification as the long, non-CI run, and must come out as a documented outcome.
/// </summary>
public sealed class CorpusReplayTests
{
    [Fact]
    public void Replay_ImageSeedsAndCorpus_NoCrashNoHang()
    {
        using var target = new ImageTarget();
        var report = Replay(target, "image");

        Assert.True(report.Replayed > target.Seeds().Count, "the committed image corpus is missing or empty");
        Assert.Empty(report.Crashes);
        Assert.Empty(report.Hangs);
    }

    [Fact]
    public void Replay_InteractionSeedsAndCorpus_NoCrashNoHang()
    {
        using var target = new InteractionTarget();
        var report = Replay(target, "interaction");

        Assert.True(report.Replayed > target.Seeds().Count, "the committed interaction corpus is missing or empty");
        Assert.Empty(report.Crashes);
        Assert.Empty(report.Hangs);
    }

    [Fact]
    public void Run_FewGeneratedInputs_DeterministicForASeed()
    {
        // The long run's findings reproduce only if input i is a pure function of (seed, i).
        using var target = new InteractionTarget();
        var a = FuzzRunner.Run(target, new FuzzSettings { Count = 300, Seed = 7, SaveCorpus = false });
        var b = FuzzRunner.Run(target, new FuzzSettings { Count = 300, Seed = 7, SaveCorpus = false });

        Assert.Equal(a.Outcomes, b.Outcomes);
        Assert.Empty(a.Crashes);
    }

    private static FuzzReport Replay(IFuzzTarget target, string name)
    {
        var corpus = new DirectoryInfo(Path.Combine(RepoRoot(), "bench", "fuzz", "corpus", name));
        var report = FuzzRunner.Run(target, new FuzzSettings { Count = 0, Corpus = corpus, SaveCorpus = false, HangMs = 2000 });
        Assert.True(report.Replayed == report.Inputs);
        return report;
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MoodBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MoodBot.sln not found above " + AppContext.BaseDirectory);
    }
}
