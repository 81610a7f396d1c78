namespace MoodBot.Vision.Tests;

/// <summary>The photo-analysis slots and queue the bot derives from its options and the machine (issue 16).</summary>
public sealed class PhotoAnalysisLimitsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    public void Defaults_OneSlotPerCore_FourQueuedEach_WithTheMemoryBudget(int cores)
    {
        var limits = PhotoAnalysisLimits.From(new VisionOptions(), cores);

        Assert.Equal(new PhotoAnalysisLimits(cores, cores * PhotoAnalysisLimits.QueuePerSlot, 256), limits);
    }

    [Theory]
    [InlineData(49_000_000L, 187)] // a 7000 × 7000 PNG: 196 MB of decoded pixels
    [InlineData(12_000_000L, 46)]  // a phone photo
    [InlineData(640L * 480, 2)]
    [InlineData(1L, 1)]            // never free
    [InlineData(200_000_000L, 256)] // never more than the whole budget, so it still runs (alone)
    public void EachPhoto_ChargedItsOwnDecodedSize(long pixels, int megabytes)
    {
        Assert.Equal(megabytes, PhotoAnalysisLimits.From(new VisionOptions(), 2).ChargeMegabytes(pixels));
    }

    [Fact]
    public void ExplicitSettings_WinOverTheDerivation_AndDropTheBudget()
    {
        var limits = PhotoAnalysisLimits.From(new VisionOptions { MaxConcurrentAnalyses = 3, MaxQueuedAnalyses = 0 }, 1);

        Assert.Equal(new PhotoAnalysisLimits(3, 0, null), limits);
        Assert.Equal(0, limits.ChargeMegabytes(49_000_000));
    }

    [Fact]
    public async Task Gate_TwoBigPhotosTakeTurns_TwoPhonePhotosRunTogether()
    {
        using var gate = new PhotoAnalysisGate(Microsoft.Extensions.Options.Options.Create(new VisionOptions { MaxQueuedAnalyses = 4 }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PhotoAnalysisGate>.Instance);
        Assert.True(gate.Limits.Concurrency >= 1);
        var ct = TestContext.Current.CancellationToken;
        if (gate.Limits.Concurrency < 2)
        {
            Assert.Skip("needs two cores for two slots");
        }

        // Two 12-MP photos (46 MB each) fit the 256 MB budget together.
        using (var first = await gate.EnterAsync(12_000_000, ct))
        using (var second = await gate.EnterAsync(12_000_000, ct))
        {
            Assert.True(first.IsAcquired);
            Assert.True(second.IsAcquired);
        }

        // Two 49-MP photos (187 MB each) do not: the second waits until the first is done.
        var big = await gate.EnterAsync(49_000_000, ct);
        Assert.True(big.IsAcquired);
        var waiting = gate.EnterAsync(49_000_000, ct).AsTask();
        await Task.Delay(200, ct);
        Assert.False(waiting.IsCompleted);
        big.Dispose();
        using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.True(next.IsAcquired);
    }

    [Theory]
    [InlineData(nameof(VisionOptions.MaxConcurrentAnalyses), 0)]
    [InlineData(nameof(VisionOptions.MaxQueuedAnalyses), -1)]
    [InlineData(nameof(VisionOptions.AnalysisMemoryBudgetMegabytes), 10)]
    public void OutOfRange_RefusedByTheValidator(string member, int value)
    {
        var options = new VisionOptions();
        typeof(VisionOptions).GetProperty(member)!.SetValue(options, value);

        var result = new VisionOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(member, result.FailureMessage, StringComparison.Ordinal);
    }
}
