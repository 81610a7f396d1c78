using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MoodBot.Core;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Replies;

/// <summary>Everything a recommendation reply shows.</summary>
/// <param name="Disagreement">The counted faces' emotions when they differ (<see cref="PhotoAnalysis.Disagreement"/>); empty otherwise.</param>
internal sealed record MoodReply(
    EmotionProbabilities Mood,
    IReadOnlyList<FaceEmotion> Faces,
    bool ManualMood,
    MoodTarget Target,
    RecommendationMode Mode,
    int Count,
    string OwnerId,
    Recommendation Recommendation,
    IReadOnlyList<(Emotion Emotion, int Faces)>? Disagreement = null)
{
    public const int MinCount = 5;
    public const int MaxCount = 20;
    public const int DefaultCount = 10;
    public const string ChartFileName = "mood.png";
}

/// <summary>Turns a <see cref="MoodReply"/> into Discord's embed, buttons and chart attachment.</summary>
internal static partial class ReplyBuilder
{
    private const int BarCells = 12;

    public static (MessagePayload Message, FileUpload Chart) Build(MoodReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var top = reply.Mood.Top;
        var confidence = reply.Mood.TopProbability;
        var fields = new List<EmbedField>
        {
            new(Strings.FieldConfidence, string.Create(CultureInfo.InvariantCulture, $"`{Bar(confidence)}` {confidence * 100:0}%") +
                (reply.ManualMood ? Strings.YourPick : string.Empty), Inline: false),
        };
        if (reply.Faces.Count > 1)
        {
            fields.Add(new EmbedField(ReplyCulture.Format(Strings.FieldFaces, reply.Faces.Count), FaceSummary(reply.Faces)));
        }

        if (reply.Disagreement is { Count: > 0 } disagreement)
        {
            fields.Add(FacesDisagreeField(disagreement));
        }

        // The chart's bars as text: with images off, or through a screen reader, the embed must still say everything.
        fields.Add(new EmbedField(Strings.FieldEmotions, TopEmotions(reply.Mood, 3), Inline: false));
        fields.Add(new EmbedField(Strings.FieldTarget, ReplyCulture.Format(Strings.TargetValue, Two(reply.Target.Valence), Two(reply.Target.Energy)), Inline: true));
        fields.Add(new EmbedField(Strings.FieldMode, reply.Mode == RecommendationMode.Lift ? Strings.ModeLiftLong : Strings.ModeMatch, Inline: true));

        var embed = new Embed
        {
            Title = ReplyCulture.Format(Strings.MoodTitle, Emoji(top), Adjective(top)),
            Description = TrackList(reply.Recommendation),
            Color = (int)(MoodChartColor(top) & 0xFFFFFF),
            Fields = fields,
            Image = new EmbedImage("attachment://" + MoodReply.ChartFileName),
            Footer = new EmbedFooter(Strings.Footer),
        };

        var state = new ButtonState(ButtonAction.Save, reply.Mode, reply.Count, reply.OwnerId, reply.Mood);
        var buttons = new List<Button>
        {
            new() { Style = Button.Success, Label = Strings.ButtonSave, CustomId = state.Encode() },
            new() { Style = Button.Primary, Label = Strings.ButtonMore, CustomId = state.With(ButtonAction.More).Encode() },
        };
        if (reply.Mode != RecommendationMode.Lift)
        {
            buttons.Add(new() { Style = Button.Secondary, Label = Strings.ButtonLift, CustomId = state.With(ButtonAction.Lift).Encode() });
        }

        if (reply.Recommendation.Tracks.Count > 0)
        {
            // Whoever presses it hears the tracks on their own device (their link, their Premium), not the requester's.
            buttons.Add(new() { Style = Button.Success, Label = Strings.ButtonPlay, CustomId = state.With(ButtonAction.Play).Encode() });
        }

        var chart = MoodChart.RenderPng(reply.Mood, reply.Target);
        var message = new MessagePayload
        {
            Content = string.Empty,
            Embeds = [embed],
            Components = [new ActionRow(buttons)],
            Attachments = [new AttachmentRef("0", MoodReply.ChartFileName, AltText(reply))],
        };
        return (message, new FileUpload(MoodReply.ChartFileName, "image/png", chart));
    }

    /// <summary>
    /// The chart's alt text (the attachment's <c>description</c>, read by screen readers and shown when images are off):
    /// what the picture shows, in one sentence. Discord allows 1024 characters; this stays near 150.
    /// </summary>
    internal static string AltText(MoodReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return ReplyCulture.Format(Strings.AltText, TopEmotions(reply.Mood, 3, plain: true), Two(reply.Target.Valence), Two(reply.Target.Energy),
            reply.Mode == RecommendationMode.Lift ? Strings.ModeNameLift : Strings.ModeMatch);
    }

    /// <summary>The <paramref name="n"/> likeliest emotions with their share, e.g. "happy 62% · surprise 14% · sad 8%".</summary>
    internal static string TopEmotions(EmotionProbabilities mood, int n, bool plain = false)
    {
        ArgumentNullException.ThrowIfNull(mood);
        var top = mood.Pairs().OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(n)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{(plain ? string.Empty : Emoji(p.Key) + " ")}{EmotionName(p.Key)} {p.Value * 100:0}%"));
        return string.Join(plain ? ", " : " · ", top);
    }

    /// <summary>Track ids listed in a reply's embed, read back when a button is clicked.</summary>
    public static IReadOnlyList<string> TrackIdsFrom(IReadOnlyList<JsonElement>? embeds)
    {
        var ids = new List<string>();
        foreach (var embed in embeds ?? [])
        {
            if (embed.ValueKind == JsonValueKind.Object && embed.TryGetProperty("description", out var d) &&
                Interactions.InteractionParser.StringOrNull(d) is { } text)
            {
                ids.AddRange(TrackUrl().Matches(text).Select(m => m.Groups[1].Value));
            }
        }

        return ids.Distinct(StringComparer.Ordinal).ToList();
    }

    internal static string Bar(float p)
    {
        var filled = (int)Math.Round(Math.Clamp(p, 0, 1) * BarCells);
        return new string('█', filled) + new string('░', BarCells - filled);
    }

    /// <summary>
    /// Says that the faces that set the mood show different emotions, so a blended mood is not read as everyone's
    /// (issue 15), in the member's language (FacesDisagreeName/Value and the emotion names from Strings).
    /// </summary>
    internal static EmbedField FacesDisagreeField(IReadOnlyList<(Emotion Emotion, int Faces)> disagreement)
    {
        var parts = disagreement.Select(d => string.Create(CultureInfo.InvariantCulture, $"{Emoji(d.Emotion)} {d.Faces} {EmotionName(d.Emotion)}"));
        return new EmbedField(Strings.FacesDisagreeName, ReplyCulture.Format(Strings.FacesDisagreeValue, string.Join(" · ", parts)), Inline: false);
    }

    private static string FaceSummary(IReadOnlyList<FaceEmotion> faces)
    {
        var groups = faces.GroupBy(f => f.Emotion).OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{Emoji(g.Key)} {g.Count()} {EmotionName(g.Key)}"));
        return string.Join(" · ", groups);
    }

    private static string TrackList(Recommendation recommendation)
    {
        var tracks = recommendation.Tracks;
        if (tracks.Count == 0)
        {
            return NoTracks(recommendation.NoTracks);
        }

        var sb = new StringBuilder();
        for (var i = 0; i < tracks.Count; i++)
        {
            var t = tracks[i];
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{i + 1}. [{Escape(Truncate(t.Name, 80))}]({t.Url}) — {Escape(Truncate(string.Join(", ", t.Artists), 60))}\n");
            if (sb.Length + line.Length > 4000)
            {
                break;
            }

            sb.Append(line);
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Why the list is empty, in a member's words: whether waiting helps, or only the server admin can fix it.</summary>
    internal static string NoTracks(NoTracksReason reason) => reason switch
    {
        NoTracksReason.NoSource => Strings.NoTracks_NoSource,
        NoTracksReason.CatalogLoading => Strings.NoTracks_CatalogLoading,
        NoTracksReason.SourceFailing => Strings.NoTracks_SourceFailing,
        _ => Strings.NoTracks_Exhausted,
    };

    private static string Truncate(string s, int max) => s.Length <= max ? s : string.Concat(s.AsSpan(0, max - 1), "…");

    /// <summary>Track titles are user content: escape markdown so "[Remix]" can't break the link syntax.</summary>
    private static string Escape(string s) => MarkdownSpecial().Replace(s, @"\$0");

    private static uint MoodChartColor(Emotion e) => (uint)MoodChart.ColorOf(e);

    internal static string Emoji(Emotion e) => e switch
    {
        Emotion.Angry => "😠",
        Emotion.Disgust => "🤢",
        Emotion.Fear => "😨",
        Emotion.Happy => "😄",
        Emotion.Sad => "😢",
        Emotion.Surprise => "😮",
        _ => "😐",
    };

    private static string Adjective(Emotion e) => e switch
    {
        Emotion.Angry => Strings.Adjective_angry,
        Emotion.Disgust => Strings.Adjective_disgust,
        Emotion.Fear => Strings.Adjective_fear,
        Emotion.Happy => Strings.Adjective_happy,
        Emotion.Sad => Strings.Adjective_sad,
        Emotion.Surprise => Strings.Adjective_surprise,
        _ => Strings.Adjective_neutral,
    };

    /// <summary>The emotion's name in the member's language (<see cref="Emotions.Name"/> stays the wire and file name).</summary>
    internal static string EmotionName(Emotion e) => Strings.ResourceManager.GetString("Emotion_" + e.Name(), Strings.Culture ?? CultureInfo.CurrentUICulture) ?? e.Name();

    private static string Two(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"https://open\.spotify\.com/track/([A-Za-z0-9]{1,64})")]
    private static partial Regex TrackUrl();

    [GeneratedRegex(@"[\\\[\]\(\)\*_~`|>]")]
    private static partial Regex MarkdownSpecial();
}
