using Microsoft.Extensions.Logging;

namespace MoodBot.Discord;

/// <summary>
/// Anyone on the internet can POST to <c>/interactions</c>: one warning per forged, stale or unreadable request would let
/// a scanner fill the log. Rejections are counted instead, and one line per <see cref="Window"/> says how many and why
/// (each one is still at debug level, without a stack trace).
/// </summary>
internal sealed class RejectedRequestLog : IDisposable
{
    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _reasons = new(StringComparer.Ordinal);
    private readonly ILogger<RejectedRequestLog> _logger;
    private readonly ITimer _timer;
    private int _count;
    private bool _armed;

    public RejectedRequestLog(TimeProvider time, ILogger<RejectedRequestLog> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        _logger = logger;
        _timer = time.CreateTimer(_ => Flush(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <param name="reason">A short fixed phrase ("bad signature"), never request content.</param>
    public void Record(string reason)
    {
        Log.SignatureRejected(_logger, reason);
        lock (_lock)
        {
            _count++;
            _reasons[reason] = _reasons.GetValueOrDefault(reason) + 1;
            if (!_armed)
            {
                // The window starts at the first rejection, so a quiet endpoint writes nothing at all.
                _armed = true;
                _timer.Change(Window, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Writes what the last window counted (the shutdown path too, so a count is never lost).</summary>
    public void Flush()
    {
        int count;
        string reasons;
        lock (_lock)
        {
            _armed = false;
            if (_count == 0)
            {
                return;
            }

            count = _count;
            reasons = string.Join(", ", _reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => $"{r.Key}: {r.Value}"));
            _count = 0;
            _reasons.Clear();
        }

        Log.RequestsRejected(_logger, count, Window.TotalSeconds, reasons);
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }
}
