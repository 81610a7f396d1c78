namespace MoodBot.Core;

/// <summary>
/// A reason the process cannot start, already worded for the operator: one plain line that names the key, path or
/// address and what to do. The host prints <see cref="Exception.Message"/> alone (the stack trace only at debug level),
/// so any feature's start-up check reports through this one type; failures of other types are translated by the
/// host's start-up reporter.
/// </summary>
public sealed class StartupFailureException : Exception
{
    public StartupFailureException()
    {
    }

    public StartupFailureException(string message)
        : base(message)
    {
    }

    public StartupFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
