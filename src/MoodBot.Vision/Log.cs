using Microsoft.Extensions.Logging;

namespace MoodBot.Vision;

/// <summary>All log messages of the vision stage. Photo bytes and pixels are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Emotion model loaded from {Path}: input {Input} {Shape}, output {Output}")]
    public static partial void ModelLoaded(ILogger logger, string path, string input, string shape, string output);

    [LoggerMessage(1001, LogLevel.Information, "Face detector loaded from {Path}")]
    public static partial void DetectorLoaded(ILogger logger, string path);

    [LoggerMessage(1002, LogLevel.Debug, "Photo {Width}x{Height} ({Format}) decoded at 1/{Reduction}: {Faces} face(s) in {Milliseconds:0.0} ms")]
    public static partial void PhotoAnalyzed(ILogger logger, int width, int height, string format, int reduction, int faces, double milliseconds);

    [LoggerMessage(1003, LogLevel.Information, "Photo refused: {Problem}")]
    public static partial void PhotoRefused(ILogger logger, string problem);

    [LoggerMessage(1004, LogLevel.Information, "Photo analysis: {Concurrency} at once, {Queue} more may wait, {Memory} (MoodBot:Vision:MaxConcurrentAnalyses, MaxQueuedAnalyses, AnalysisMemoryBudgetMegabytes)")]
    public static partial void AnalysisLimits(ILogger logger, int concurrency, int queue, string memory);

    [LoggerMessage(1005, LogLevel.Debug, "Photo turned away: analysis at its limit and the queue full")]
    public static partial void AnalysisBusy(ILogger logger);
}
