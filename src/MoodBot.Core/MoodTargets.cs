namespace MoodBot.Core;

/// <summary>
/// Maps a mood to a (valence, energy) target for a recommendation mode. Implemented by MoodBot.Music; the Discord layer
/// depends on this port so adapters never reference each other.
/// </summary>
public interface IMoodTargetMapper
{
    MoodTarget Map(EmotionProbabilities probabilities, RecommendationMode mode);
}
