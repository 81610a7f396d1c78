using MoodBot.Core;

namespace MoodBot.Music;

/// <summary>
/// Emotion probabilities → a point in Spotify's (valence, energy) plane.
/// Each FER2013 class sits at the valence/arousal of its emotion word in the NRC VAD lexicon
/// (Mohammad, S. M. 2018, "Obtaining Reliable Human Ratings of Valence, Arousal, and Dominance for 20,000 English Words", ACL);
/// arousal stands in for Spotify's energy. The target is the probability-weighted mean of those points, so it is a convex
/// combination: always inside [0,1]², and continuous in the probabilities (a small change moves it by at most that change
/// times the plane's diameter).
/// </summary>
public static class MoodMapper
{
    // Words used: anger, disgust, fear, joy, sadness, surprise, neutral (valence, arousal on 0..1).
    private static readonly MoodTarget[] Points =
    [
        new(0.167, 0.865), // angry ← "anger"
        new(0.052, 0.775), // disgust ← "disgust"
        new(0.073, 0.840), // fear ← "fear"
        new(0.980, 0.824), // happy ← "joy"
        new(0.052, 0.288), // sad ← "sadness"
        new(0.875, 0.875), // surprise ← "surprise"
        new(0.469, 0.184), // neutral ← "neutral"
    ];

    /// <summary>The lexicon point of one emotion.</summary>
    public static MoodTarget Coordinates(Emotion emotion) => Points[(int)emotion];

    /// <summary>Probability-weighted mean of the emotion points.</summary>
    public static MoodTarget ToTarget(EmotionProbabilities probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var p = probabilities.AsSpan();
        double v = 0, e = 0, sum = 0;
        for (var i = 0; i < Points.Length; i++)
        {
            v += p[i] * Points[i].Valence;
            e += p[i] * Points[i].Energy;
            sum += p[i];
        }

        // EmotionProbabilities already sums to 1 in float; dividing removes the float rounding so the point stays in the hull.
        return Clamp(new MoodTarget(v / sum, e / sum));
    }

    /// <summary>The emotion whose lexicon point is nearest (used to label history and manual targets).</summary>
    public static Emotion NearestEmotion(MoodTarget target)
    {
        var best = Emotion.Neutral;
        var bestD = double.MaxValue;
        foreach (var emotion in Emotions.All)
        {
            var c = Points[(int)emotion];
            var d = ((c.Valence - target.Valence) * (c.Valence - target.Valence)) + ((c.Energy - target.Energy) * (c.Energy - target.Energy));
            if (d < bestD)
            {
                bestD = d;
                best = emotion;
            }
        }

        return best;
    }

    public static MoodTarget Clamp(MoodTarget t) => new(Math.Clamp(t.Valence, 0, 1), Math.Clamp(t.Energy, 0, 1));

    /// <summary>
    /// The iso principle (music therapy: meet the listener where they are, then lead): <paramref name="steps"/> points
    /// evenly spaced on the straight line from the current mood to the goal, first point = the mood itself.
    /// </summary>
    public static IReadOnlyList<MoodTarget> LiftPath(MoodTarget start, MoodTarget goal, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var path = new MoodTarget[steps];
        for (var i = 0; i < steps; i++)
        {
            var t = steps == 1 ? 0 : (double)i / (steps - 1);
            path[i] = Clamp(new MoodTarget(
                start.Valence + ((goal.Valence - start.Valence) * t),
                start.Energy + ((goal.Energy - start.Energy) * t)));
        }

        return path;
    }

    /// <summary>
    /// Where a lift ends: the configured calm, happy point, except that valence never goes down
    /// (someone already happy is calmed, not made less happy).
    /// </summary>
    public static MoodTarget LiftGoal(MoodTarget start, MoodTarget configuredGoal) =>
        Clamp(new MoodTarget(Math.Max(start.Valence, configuredGoal.Valence), configuredGoal.Energy));
}
