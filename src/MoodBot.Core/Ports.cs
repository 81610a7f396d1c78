namespace MoodBot.Core;

/// <summary>Turns photo bytes into faces and emotions. Implementations are thread-safe singletons.</summary>
public interface IPhotoAnalyzer
{
    /// <exception cref="UnsupportedImageException">the bytes are not an image we accept.</exception>
    /// <exception cref="PhotoAnalysisBusyException">too many photos are being analysed and waiting already.</exception>
    Task<PhotoAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, CancellationToken cancellationToken);
}

/// <summary>Why a photo was refused; the message is safe to show to the member who sent it.</summary>
public enum ImageProblem
{
    Empty,
    TooLarge,
    TooManyPixels,
    UnsupportedFormat,
    Corrupt,
}

/// <summary>
/// Photo analysis is at its concurrency limit and its wait queue is full: nothing was wrong with the photo, so the member
/// should simply try again (a full queue is backpressure, not a failure).
/// </summary>
public sealed class PhotoAnalysisBusyException : Exception
{
    public PhotoAnalysisBusyException()
        : base("Photo analysis is at capacity.")
    {
    }

    public PhotoAnalysisBusyException(string message)
        : base(message)
    {
    }

    public PhotoAnalysisBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Thrown for input we refuse; <see cref="Exception.Message"/> is a one-line, user-facing reason.</summary>
public sealed class UnsupportedImageException : Exception
{
    public UnsupportedImageException(ImageProblem problem, string message)
        : base(message) => Problem = problem;

    public UnsupportedImageException()
    {
    }

    public UnsupportedImageException(string message)
        : base(message)
    {
    }

    public UnsupportedImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImageProblem Problem { get; } = ImageProblem.Corrupt;
}
