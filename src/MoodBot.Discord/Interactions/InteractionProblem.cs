namespace MoodBot.Discord.Interactions;

/// <summary>Why we could not help a member; each maps to one kind, user-facing message.</summary>
public enum ProblemKind
{
    NoFace,
    UnsupportedImage,
    AttachmentRefused,
    NotLinked,
    RateLimited,
    NotConfigured,
    Unavailable,

    /// <summary>Photo analysis is at capacity; nothing is wrong with the request.</summary>
    Busy,
}

/// <summary>An expected failure with a message safe to show the member; handled by the result handler.</summary>
public sealed class InteractionProblemException : Exception
{
    public InteractionProblemException(ProblemKind kind, string userMessage)
        : base(userMessage) => Kind = kind;

    public InteractionProblemException()
    {
    }

    public InteractionProblemException(string message)
        : base(message)
    {
    }

    public InteractionProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProblemKind Kind { get; } = ProblemKind.Unavailable;
}
