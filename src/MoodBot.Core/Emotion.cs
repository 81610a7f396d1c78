namespace MoodBot.Core;

/// <summary>The seven FER2013 classes, in the dataset's label order (the model's output order).</summary>
public enum Emotion
{
    Angry = 0,
    Disgust = 1,
    Fear = 2,
    Happy = 3,
    Sad = 4,
    Surprise = 5,
    Neutral = 6,
}

public static class Emotions
{
    public const int Count = 7;

    /// <summary>All emotions in label order.</summary>
    public static IReadOnlyList<Emotion> All { get; } = Enum.GetValues<Emotion>();

    /// <summary>The lower-case name used in JSON, folder names and commands.</summary>
    public static string Name(this Emotion emotion) => emotion switch
    {
        Emotion.Angry => "angry",
        Emotion.Disgust => "disgust",
        Emotion.Fear => "fear",
        Emotion.Happy => "happy",
        Emotion.Sad => "sad",
        Emotion.Surprise => "surprise",
        Emotion.Neutral => "neutral",
        _ => throw new ArgumentOutOfRangeException(nameof(emotion), emotion, null),
    };

    public static bool TryParse(string? text, out Emotion emotion)
    {
        foreach (var e in All)
        {
            if (string.Equals(e.Name(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                emotion = e;
                return true;
            }
        }

        // Common synonyms people type in the manual override.
        switch (text?.Trim().ToLowerInvariant())
        {
            case "joy" or "joyful" or "glad": emotion = Emotion.Happy; return true;
            case "sadness" or "down" or "blue": emotion = Emotion.Sad; return true;
            case "anger" or "mad": emotion = Emotion.Angry; return true;
            case "calm" or "meh": emotion = Emotion.Neutral; return true;
            case "scared" or "afraid": emotion = Emotion.Fear; return true;
            case "surprised": emotion = Emotion.Surprise; return true;
            case "disgusted": emotion = Emotion.Disgust; return true;
            default: emotion = default; return false;
        }
    }
}
