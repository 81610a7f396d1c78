namespace MoodBot.Discord.Gateway;

/// <summary>
/// What a Resume needs, kept across one shard's connections: the session id and resume URL from READY, and the last
/// sequence number seen. The sequence is read by the heartbeat loop while the receive loop writes it, hence the lock.
/// </summary>
internal sealed class GatewaySession
{
    private readonly Lock _lock = new();
    private long? _sequence;

    public string? SessionId { get; private set; }

    public Uri? ResumeUrl { get; private set; }

    public long? Sequence
    {
        get
        {
            lock (_lock)
            {
                return _sequence;
            }
        }
    }

    public bool CanResume => SessionId is not null && ResumeUrl is not null && Sequence is not null;

    public void Observe(long sequence)
    {
        lock (_lock)
        {
            _sequence = sequence;
        }
    }

    /// <summary>READY arrived: a new session (its id may be missing if READY was malformed; then there is nothing to resume).</summary>
    public void Start(string? sessionId, Uri resumeUrl)
    {
        SessionId = sessionId;
        ResumeUrl = resumeUrl;
    }

    /// <summary>The session is gone; the next connection identifies.</summary>
    public void Reset()
    {
        SessionId = null;
        ResumeUrl = null;
        lock (_lock)
        {
            _sequence = null;
        }
    }
}
