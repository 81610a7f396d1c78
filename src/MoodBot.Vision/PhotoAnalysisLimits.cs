namespace MoodBot.Vision;

/// <summary>
/// How many photos are analysed at once and how many may wait, from <see cref="VisionOptions"/> and the machine.
/// A decode's memory is set by the photo's pixel count, not its file size (a 190 KB PNG can decode to 49 MP), so the
/// default slot count is what the memory budget affords at <see cref="VisionOptions.MaxPixels"/>, never more than
/// the cores (analysis is CPU-bound: more slots than cores only share the same cores more slowly).
/// </summary>
public sealed record PhotoAnalysisLimits(int Concurrency, int QueueLength)
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
        var concurrency = options.MaxConcurrentAnalyses ?? Derived(options, processorCount);
        var queue = options.MaxQueuedAnalyses ?? concurrency * QueuePerSlot;
        return new PhotoAnalysisLimits(concurrency, queue);
    }

    private static int Derived(VisionOptions options, int processorCount)
    {
        var perAnalysis = Math.Max(1, options.MaxPixels * BytesPerPixel);
        var affordable = options.AnalysisMemoryBudgetMegabytes * 1024L * 1024L / perAnalysis;
        return (int)Math.Clamp(Math.Min(affordable, processorCount), 1, 256);
    }
}
