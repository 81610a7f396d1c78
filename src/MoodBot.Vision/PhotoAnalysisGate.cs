using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MoodBot.Vision;

/// <summary>
/// The process-wide cap on photo analyses (<see cref="PhotoAnalysisLimits"/>): a slot per analysis with a bounded
/// first-come-first-served queue behind it and an immediate refusal once that queue is full, then the photo's share of
/// the decoded-pixel memory budget. So a crowd of big photos waits or is turned away instead of decoding all at once
/// (40 × 49 MP used to take the process to 1.6 GB), while ordinary photos still use every core.
/// </summary>
public sealed class PhotoAnalysisGate : IDisposable
{
    private readonly ConcurrencyLimiter _slots;
    private readonly ConcurrencyLimiter? _memory;

    public PhotoAnalysisGate(IOptions<VisionOptions> options, ILogger<PhotoAnalysisGate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Limits = PhotoAnalysisLimits.From(options.Value, Environment.ProcessorCount);
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Limits.Concurrency,
            QueueLimit = Limits.QueueLength,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        if (Limits.MemoryBudgetMegabytes is { } budget)
        {
            // Only slot holders wait here, so its queue never holds more than the slots; oldest first keeps a big photo
            // from being overtaken forever by small ones.
            _memory = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = budget,
                QueueLimit = budget * Math.Max(1, Limits.Concurrency),
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        Log.AnalysisLimits(logger, Limits.Concurrency, Limits.QueueLength,
            Limits.MemoryBudgetMegabytes is { } mb ? $"{mb} MB of decoded pixels" : "no memory budget (MaxConcurrentAnalyses set)");
    }

    public PhotoAnalysisLimits Limits { get; }

    /// <summary>
    /// A slot and the memory for a photo of <paramref name="pixels"/>, after waiting if need be; a lease that is not
    /// acquired means the queue was full (the caller must dispose the lease either way).
    /// </summary>
    public async ValueTask<RateLimitLease> EnterAsync(long pixels, CancellationToken cancellationToken)
    {
        var slot = await _slots.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!slot.IsAcquired || _memory is null)
        {
            return slot;
        }

        try
        {
            var memory = await _memory.AcquireAsync(Limits.ChargeMegabytes(pixels), cancellationToken).ConfigureAwait(false);
            return new CombinedLease(slot, memory);
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _slots.Dispose();
        _memory?.Dispose();
    }

    /// <summary>Both permits, released together.</summary>
    private sealed class CombinedLease(RateLimitLease slot, RateLimitLease memory) : RateLimitLease
    {
        public override bool IsAcquired => slot.IsAcquired && memory.IsAcquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                memory.Dispose();
                slot.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
