namespace MoodBot.Vision.Tests;

/// <summary>The photo-analysis slots and queue the bot derives from its options and the machine (issue 16).</summary>
public sealed class PhotoAnalysisLimitsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    public void Defaults_OneFiftyMegapixelPhotoAtATime_WhateverTheCores(int cores)
    {
        var limits = PhotoAnalysisLimits.From(new VisionOptions(), cores);

        // 256 MB affords one 50 MP × 4 B decode; the queue is four per slot.
        Assert.Equal(new PhotoAnalysisLimits(1, 4), limits);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(4, 4)]
    [InlineData(16, 5)]
    public void SmallerMaxPixels_MoreSlots_CappedByCoresAndBudget(int cores, int expected)
    {
        // 12 MP × 4 B = 48 MB a photo: 256 MB affords 5.
        var limits = PhotoAnalysisLimits.From(new VisionOptions { MaxPixels = 12_000_000 }, cores);

        Assert.Equal(expected, limits.Concurrency);
        Assert.Equal(expected * PhotoAnalysisLimits.QueuePerSlot, limits.QueueLength);
    }

    [Fact]
    public void BudgetBelowOnePhoto_StillOneSlot()
    {
        Assert.Equal(1, PhotoAnalysisLimits.From(new VisionOptions { AnalysisMemoryBudgetMegabytes = 64 }, 8).Concurrency);
    }

    [Fact]
    public void ExplicitSettings_WinOverTheDerivation()
    {
        var limits = PhotoAnalysisLimits.From(new VisionOptions { MaxConcurrentAnalyses = 3, MaxQueuedAnalyses = 0 }, 1);

        Assert.Equal(new PhotoAnalysisLimits(3, 0), limits);
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
