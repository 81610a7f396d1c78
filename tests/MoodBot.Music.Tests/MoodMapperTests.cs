using CsCheck;
using MoodBot.Core;
using MoodBot.Music;

namespace MoodBot.Tests;

public sealed class MoodMapperTests
{
    // Seven non-negative scores, at least one clearly positive, as the classifier could produce.
    private static readonly Gen<float[]> Scores = Gen.Float[0f, 1f].Array[7].Where(a => a.Sum() > 1e-3f);

    [Fact]
    public void ToTarget_OneHot_IsThatEmotionsLexiconPoint()
    {
        foreach (var e in Emotions.All)
        {
            var t = MoodMapper.ToTarget(EmotionProbabilities.OneHot(e));
            Assert.Equal(MoodMapper.Coordinates(e).Valence, t.Valence, 6);
            Assert.Equal(MoodMapper.Coordinates(e).Energy, t.Energy, 6);
        }

        Assert.True(MoodMapper.Coordinates(Emotion.Happy).Valence > MoodMapper.Coordinates(Emotion.Sad).Valence + 0.5);
        Assert.True(MoodMapper.Coordinates(Emotion.Angry).Energy > MoodMapper.Coordinates(Emotion.Sad).Energy + 0.5);
    }

    [Fact]
    public void ToTarget_AnyProbabilities_StaysInsideUnitSquare() =>
        Scores.Sample(s =>
        {
            var t = MoodMapper.ToTarget(EmotionProbabilities.FromScores(s));
            return t.Valence is >= 0 and <= 1 && t.Energy is >= 0 and <= 1;
        });

    [Fact]
    public void ToTarget_SmallChangeInProbabilities_SmallChangeInTarget() =>
        Gen.Select(Scores, Gen.Float[-0.01f, 0.01f].Array[7]).Sample((s, delta) =>
        {
            var p = EmotionProbabilities.FromScores(s);
            var moved = s.Select((x, i) => Math.Max(0f, x + delta[i])).ToArray();
            if (moved.Sum() < 1e-3f)
            {
                return true;
            }

            var q = EmotionProbabilities.FromScores(moved);
            var l1 = Emotions.All.Sum(e => Math.Abs(p[e] - q[e]));
            var a = MoodMapper.ToTarget(p);
            var b = MoodMapper.ToTarget(q);
            var shift = Math.Sqrt(Math.Pow(a.Valence - b.Valence, 2) + Math.Pow(a.Energy - b.Energy, 2));

            // The target is linear in p with points inside the unit square, so it moves at most ||p - q||₁ · √2.
            return shift <= (l1 * Math.Sqrt(2)) + 1e-5;
        });

    [Fact]
    public void LiftPath_FromAnyStart_BeginsAtStartEndsAtGoalAndMovesMonotonically() =>
        Gen.Select(Gen.Double[0, 1], Gen.Double[0, 1], Gen.Int[2, 50]).Sample((v, e, n) =>
        {
            var start = new MoodTarget(v, e);
            var goal = MoodMapper.LiftGoal(start, new MoodTarget(0.8, 0.5));
            var path = MoodMapper.LiftPath(start, goal, n);
            var ok = path.Count == n && Near(path[0], start) && Near(path[^1], goal) && goal.Valence >= start.Valence;
            for (var i = 1; i < n; i++)
            {
                ok &= path[i].Valence >= path[i - 1].Valence - 1e-12;
                ok &= Math.Sign(path[i].Energy - path[i - 1].Energy) * Math.Sign(goal.Energy - start.Energy) >= 0;
            }

            return ok;
        });

    [Fact]
    public void NearestEmotion_OfEachLexiconPoint_IsThatEmotion()
    {
        foreach (var e in Emotions.All)
        {
            Assert.Equal(e, MoodMapper.NearestEmotion(MoodMapper.Coordinates(e)));
        }
    }

    private static bool Near(MoodTarget a, MoodTarget b) => Math.Abs(a.Valence - b.Valence) < 1e-9 && Math.Abs(a.Energy - b.Energy) < 1e-9;
}
