using MoodBot.Core;

namespace MoodBot.Music;

/// <summary>
/// <see cref="IMoodTargetMapper"/> over <see cref="MoodMapper"/>. Both modes start at the mood's own point: lift moves
/// away from it along the path the recommender lays out, so the first track still meets the listener where they are.
/// </summary>
public sealed class MoodTargetMapper : IMoodTargetMapper
{
    public MoodTarget Map(EmotionProbabilities probabilities, RecommendationMode mode) => MoodMapper.ToTarget(probabilities);
}
