namespace MoodBot.Core;

/// <summary>Turns photo bytes into faces and emotions. Implementations are thread-safe singletons.</summary>
public interface IPhotoAnalyzer
{
    /// <exception cref="UnsupportedImageException">the bytes are not an image we accept.</exception>
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
