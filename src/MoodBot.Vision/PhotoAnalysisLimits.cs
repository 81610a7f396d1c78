namespace MoodBot.Vision;

/// <summary>
/// How many photos are analysed at once, how many may wait, and how much decoded-pixel memory they may hold together,
/// from <see cref="VisionOptions"/> and the machine. A decode's memory is set by the photo's pixel count, not its file
/// size (a 190 KB PNG can decode to 49 MP), so each analysis is charged its own worst case against the budget: phone
/// photos run one per core, while 50-MP ones take turns. Slots never exceed the cores by default (analysis is
/// CPU-bound: more slots than cores only share the same cores more slowly).
/// </summary>
/// <param name="MemoryBudgetMegabytes">Null when <see cref="VisionOptions.MaxConcurrentAnalyses"/> is set explicitly.</param>
public sealed record PhotoAnalysisLimits(int Concurrency, int QueueLength, int? MemoryBudgetMegabytes)
{
    /// <summary>
    /// Decoded bytes per original pixel at the peak of one analysis: the BGR image (3) plus its grey copy (1), both held
    /// while the crops are cut (PNG, WebP and small JPEGs decode at full size; big JPEGs are DCT-reduced and cost less).
    /// </summary>
    public const int BytesPerPixel = 4;

    /// <summary>Queued photos per slot when <see cref="VisionOptions.MaxQueuedAnalyses"/> is not set.</summary>
    public const int QueuePerSlot = 4;

    public static PhotoAnalysisLimits From(VisionOptions options, int processorCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        var concurrency = options.MaxConcurrentAnalyses ?? Math.Clamp(processorCount, 1, 256);
        var queue = options.MaxQueuedAnalyses ?? concurrency * QueuePerSlot;
        return new PhotoAnalysisLimits(concurrency, queue, options.MaxConcurrentAnalyses is null ? options.AnalysisMemoryBudgetMegabytes : null);
    }

    /// <summary>
    /// What one photo of <paramref name="pixels"/> is charged against the budget, in whole megabytes: at least 1, and
    /// never more than the whole budget (so a photo at <see cref="VisionOptions.MaxPixels"/> still runs, alone).
    /// </summary>
    public int ChargeMegabytes(long pixels)
    {
        if (MemoryBudgetMegabytes is not { } budget)
        {
            return 0;
        }

        var megabytes = (Math.Max(0, pixels) * BytesPerPixel + (1 << 20) - 1) >> 20;
        return (int)Math.Clamp(megabytes, 1, budget);
    }
}
