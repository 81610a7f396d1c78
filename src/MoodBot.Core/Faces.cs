namespace MoodBot.Core;

/// <summary>An axis-aligned box in the coordinates of the upright (EXIF-corrected) photo.</summary>
public readonly record struct FaceBox(int X, int Y, int Width, int Height)
{
    public long Area => (long)Width * Height;
}

/// <summary>One detected face and what the classifier thinks of it.</summary>
public sealed record FaceEmotion(FaceBox Box, EmotionProbabilities Probabilities)
{
    public Emotion Emotion => Probabilities.Top;

    public float Confidence => Probabilities.TopProbability;
}

/// <summary>The overall mood of a photo (or of a manual override).</summary>
public sealed record Mood(EmotionProbabilities Probabilities)
{
    public Emotion Emotion => Probabilities.Top;

    /// <summary>
    /// Face-size-weighted mean: a big face in the foreground is usually the person who posted the photo,
    /// while tiny background faces are more likely misdetections or bystanders.
    /// </summary>
    public static Mood FromFaces(IReadOnlyList<FaceEmotion> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.Count == 0)
        {
            throw new ArgumentException("no faces", nameof(faces));
        }

        return new Mood(EmotionProbabilities.WeightedMean(
            faces.Select(f => (f.Probabilities, (double)Math.Max(1, f.Box.Area))).ToList()));
    }
}

/// <summary>Everything the vision stage found in one photo.</summary>
public sealed record PhotoAnalysis(int Width, int Height, IReadOnlyList<FaceEmotion> Faces, PhotoTimings Timings)
{
    public Mood? Mood => Faces.Count == 0 ? null : Mood.FromFaces(Faces);
}

/// <summary>Per-stage wall time, for metrics and the benchmark.</summary>
public sealed record PhotoTimings(TimeSpan Decode, TimeSpan Detect, TimeSpan Classify)
{
    public TimeSpan Total => Decode + Detect + Classify;
}
