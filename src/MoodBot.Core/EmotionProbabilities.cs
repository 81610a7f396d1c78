namespace MoodBot.Core;

/// <summary>A probability for each of the seven emotions, in label order; immutable, sums to 1.</summary>
public sealed class EmotionProbabilities : IEquatable<EmotionProbabilities>
{
    private readonly float[] _p;

    private EmotionProbabilities(float[] p) => _p = p;

    public float this[Emotion e] => _p[(int)e];

    public ReadOnlySpan<float> AsSpan() => _p;

    /// <summary>Validates and normalises raw scores (non-negative, finite) into probabilities.</summary>
    public static EmotionProbabilities FromScores(ReadOnlySpan<float> scores)
    {
        if (scores.Length != Emotions.Count)
        {
            throw new ArgumentException($"expected {Emotions.Count} scores, got {scores.Length}", nameof(scores));
        }

        var p = new float[Emotions.Count];
        double sum = 0;
        for (var i = 0; i < p.Length; i++)
        {
            var v = scores[i];
            if (!float.IsFinite(v) || v < 0)
            {
                throw new ArgumentException($"score {i} is {v}; scores must be finite and non-negative", nameof(scores));
            }

            p[i] = v;
            sum += v;
        }

        if (sum <= 0)
        {
            throw new ArgumentException("scores sum to zero", nameof(scores));
        }

        for (var i = 0; i < p.Length; i++)
        {
            p[i] = (float)(p[i] / sum);
        }

        return new EmotionProbabilities(p);
    }

    /// <summary>All mass on one emotion (the manual override).</summary>
    public static EmotionProbabilities OneHot(Emotion e)
    {
        var p = new float[Emotions.Count];
        p[(int)e] = 1f;
        return new EmotionProbabilities(p);
    }

    /// <summary>Weighted mean of several distributions; weights must be positive.</summary>
    public static EmotionProbabilities WeightedMean(IReadOnlyList<(EmotionProbabilities P, double Weight)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            throw new ArgumentException("nothing to average", nameof(items));
        }

        Span<float> acc = stackalloc float[Emotions.Count];
        foreach (var (p, w) in items)
        {
            for (var i = 0; i < Emotions.Count; i++)
            {
                acc[i] += (float)(p._p[i] * w);
            }
        }

        return FromScores(acc);
    }

    public Emotion Top
    {
        get
        {
            var best = 0;
            for (var i = 1; i < _p.Length; i++)
            {
                if (_p[i] > _p[best])
                {
                    best = i;
                }
            }

            return (Emotion)best;
        }
    }

    public float TopProbability => _p[(int)Top];

    public IEnumerable<KeyValuePair<Emotion, float>> Pairs() => Emotions.All.Select(e => KeyValuePair.Create(e, _p[(int)e]));

    public bool Equals(EmotionProbabilities? other) => other is not null && _p.AsSpan().SequenceEqual(other._p);

    public override bool Equals(object? obj) => Equals(obj as EmotionProbabilities);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in _p)
        {
            h.Add(v);
        }

        return h.ToHashCode();
    }

    public override string ToString() => string.Join(", ", Pairs().Select(kv => $"{kv.Key.Name()}={kv.Value:0.000}"));
}
