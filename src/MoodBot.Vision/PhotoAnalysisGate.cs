using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MoodBot.Vision;

/// <summary>
/// The process-wide cap on photo analyses (<see cref="PhotoAnalysisLimits"/>): a slot per analysis, a bounded
/// first-come-first-served queue behind it, and an immediate refusal once the queue is full, so a crowd of big photos
/// waits or is turned away instead of decoding all at once (40 × 49 MP used to take the process to 1.6 GB).
/// </summary>
public sealed class PhotoAnalysisGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public PhotoAnalysisGate(IOptions<VisionOptions> options, ILogger<PhotoAnalysisGate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Limits = PhotoAnalysisLimits.From(options.Value, Environment.ProcessorCount);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Limits.Concurrency,
            QueueLimit = Limits.QueueLength,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        Log.AnalysisLimits(logger, Limits.Concurrency, Limits.QueueLength);
    }

    public PhotoAnalysisLimits Limits { get; }

    /// <summary>
    /// A slot, after waiting in the queue if need be; a lease that is not acquired means the queue was full (the caller
    /// must dispose the lease either way).
    /// </summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) => _limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => _limiter.Dispose();
}
