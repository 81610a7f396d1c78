using System.Globalization;
using MoodBot.Core;

namespace MoodBot.Discord.Replies;

internal enum ButtonAction
{
    Save,
    More,
    Lift,
    Play,
}

/// <summary>
/// The compact state a reply's buttons carry in their <c>custom_id</c> (≤ 100 chars, docs: components reference):
/// action, mode, count, the requester, and the mood as 7 bytes of hex. The tracks themselves are read back from the
/// message's embed, so nothing needs to be stored server-side and any instance can answer a click.
/// Format: <c>mm:{s|m|l|p}:{0|1}:{count}:{ownerId}:{14 hex}</c>.
/// </summary>
internal sealed record ButtonState(ButtonAction Action, RecommendationMode Mode, int Count, string OwnerId, EmotionProbabilities Mood)
{
    public const string Prefix = "mm:";

    public string Encode()
    {
        var a = Action switch { ButtonAction.Save => 's', ButtonAction.More => 'm', ButtonAction.Play => 'p', _ => 'l' };
        Span<char> hex = stackalloc char[Emotions.Count * 2];
        var p = Mood.AsSpan();
        for (var i = 0; i < Emotions.Count; i++)
        {
            var b = (byte)Math.Clamp((int)Math.Round(p[i] * 255), 0, 255);
            b.TryFormat(hex[(i * 2)..], out _, "x2", CultureInfo.InvariantCulture);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{a}:{(int)Mode}:{Count}:{OwnerId}:{hex}");
    }

    public static bool TryDecode(string? customId, out ButtonState state)
    {
        state = null!;
        var parts = customId?.Split(':');
        if (parts is not { Length: 6 } || parts[0] != "mm" || parts[5].Length != Emotions.Count * 2)
        {
            return false;
        }

        ButtonAction? action = parts[1] switch
        {
            "s" => ButtonAction.Save, "m" => ButtonAction.More, "l" => ButtonAction.Lift, "p" => ButtonAction.Play, _ => null,
        };
        if (action is null || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var mode) || mode is < 0 or > 1 ||
            !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var count) ||
            !parts[4].All(char.IsAsciiDigit) || parts[4].Length is 0 or > 20)
        {
            return false;
        }

        Span<float> scores = stackalloc float[Emotions.Count];
        for (var i = 0; i < Emotions.Count; i++)
        {
            if (!byte.TryParse(parts[5].AsSpan(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            scores[i] = b;
        }

        if (scores.IndexOfAnyExcept(0f) < 0)
        {
            return false;
        }

        state = new ButtonState(action.Value, (RecommendationMode)mode, Math.Clamp(count, MoodReply.MinCount, MoodReply.MaxCount), parts[4],
            EmotionProbabilities.FromScores(scores));
        return true;
    }

    public ButtonState With(ButtonAction action) => this with { Action = action };
}
