namespace MoodBot.Core;

/// <summary>An axis-aligned box in the coordinates of the upright (EXIF-corrected) photo.</summary>
public readonly record struct FaceBox(int X, int Y, int Width, int Height)
{
    public long Area => (long)Width * Height;
}

/// <summary>One detected face, how sure the detector is that it is a face (0..1), and what the classifier thinks of it.</summary>
public sealed record FaceEmotion(FaceBox Box, EmotionProbabilities Probabilities, float DetectorScore = 1f)
{
    public Emotion Emotion => Probabilities.Top;

    public float Confidence => Probabilities.TopProbability;
}

/// <summary>The overall mood of a photo (or of a manual override).</summary>
public sealed record Mood(EmotionProbabilities Probabilities)
{
    public Emotion Emotion => Probabilities.Top;

    /// <summary>
    /// Mean weighted by detector confidence × face area: a big face in the foreground is usually the person who posted
    /// the photo, and a weak detection (a blurred building) must not outweigh a confident face. Faces under
    /// <paramref name="floor"/> do not count at all; when none reaches it, the surest face alone sets the mood.
    /// </summary>
    public static Mood FromFaces(IReadOnlyList<FaceEmotion> faces, double floor = 0)
    {
        var counted = Counted(faces, floor);
        return new Mood(EmotionProbabilities.WeightedMean(
            counted.Select(f => (f.Probabilities, f.DetectorScore * (double)Math.Max(1, f.Box.Area))).ToList()));
    }

    /// <summary>The faces that move the mood (see <see cref="FromFaces"/>).</summary>
    public static IReadOnlyList<FaceEmotion> Counted(IReadOnlyList<FaceEmotion> faces, double floor = 0)
    {
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.Count == 0)
        {
            throw new ArgumentException("no faces", nameof(faces));
        }

        var sure = faces.Where(f => f.DetectorScore >= floor).ToList();
        return sure.Count > 0 ? sure : [faces.MaxBy(f => f.DetectorScore)!];
    }

    /// <summary>
    /// The emotions of the counted faces when they do not all agree (each face's top emotion), most common first; empty
    /// when one face counts or all counted faces show the same emotion.
    /// </summary>
    public static IReadOnlyList<(Emotion Emotion, int Faces)> Disagreement(IReadOnlyList<FaceEmotion> faces, double floor = 0)
    {
        var groups = Counted(faces, floor).GroupBy(f => f.Emotion).Select(g => (g.Key, g.Count()))
            .OrderByDescending(g => g.Item2).ThenBy(g => g.Key).ToList();
        return groups.Count > 1 ? groups : [];
    }
}

/// <summary>Everything the vision stage found in one photo.</summary>
/// <param name="MoodFloor">Detector confidence a face needs to move the mood (<see cref="Mood.FromFaces"/>).</param>
public sealed record PhotoAnalysis(int Width, int Height, IReadOnlyList<FaceEmotion> Faces, PhotoTimings Timings, double MoodFloor = 0)
{
    public Mood? Mood => Faces.Count == 0 ? null : Mood.FromFaces(Faces, MoodFloor);

    /// <summary>Counted faces' emotions when they disagree (see <see cref="Mood.Disagreement"/>); empty otherwise.</summary>
    public IReadOnlyList<(Emotion Emotion, int Faces)> Disagreement => Faces.Count == 0 ? [] : Mood.Disagreement(Faces, MoodFloor);
}

/// <summary>Per-stage wall time, for metrics and the benchmark.</summary>
public sealed record PhotoTimings(TimeSpan Decode, TimeSpan Detect, TimeSpan Classify)
{
    public TimeSpan Total => Decode + Detect + Classify;
}
