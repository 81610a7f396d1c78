using System.Diagnostics;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>
/// Real time, sped up: timers fire <c>factor</c> times sooner and clocks run <c>factor</c> times faster. Lets the
/// gateway's real waits (identify window, 1–5 s invalid-session pause, backoff) pass quickly with real sockets,
/// where a manually advanced FakeTimeProvider would need the test to guess every timer.
/// </summary>
internal sealed class FastTime(double factor) : TimeProvider
{
    private readonly DateTimeOffset _start = System.GetUtcNow();
    private readonly long _t0 = Stopwatch.GetTimestamp();

    public double Factor => factor;

    public override DateTimeOffset GetUtcNow() => _start + (Stopwatch.GetElapsedTime(_t0) * factor);

    public override long GetTimestamp() => _t0 + (long)((Stopwatch.GetTimestamp() - _t0) * factor);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new Timer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan ? t : t / factor;

    private sealed class Timer(ITimer inner, FastTime owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
