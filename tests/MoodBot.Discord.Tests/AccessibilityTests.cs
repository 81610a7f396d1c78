using System.Text.Json;
using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>The reply reads completely without its chart, and the chart says what it shows (alt text).</summary>
public sealed class AccessibilityTests : BotTestBase
{
    [Fact]
    public async Task MoodMusic_Reply_ChartHasAltTextWithTopEmotionsAndTarget()
    {
        var interaction = Payloads.MoodMusic(Fake.CdnUrl());
        await Send(interaction);

        var edit = await EditOf(interaction);

        var payload = edit.Json!.Value;
        var attachment = Assert.Single(payload.GetProperty("attachments").EnumerateArray());
        var alt = attachment.GetProperty("description").GetString()!;
        var fields = Fields(payload.GetProperty("embeds")[0]);
        // The same numbers the Target field shows, and the emotions in the order the Emotions field lists them.
        var target = fields["Target"].Replace("*", string.Empty, StringComparison.Ordinal);
        Assert.Contains(target.Replace(" · ", ", ", StringComparison.Ordinal), alt, StringComparison.Ordinal);
        Assert.StartsWith("Mood chart. Top emotions: happy ", alt, StringComparison.Ordinal);
        Assert.Contains("neutral", alt, StringComparison.Ordinal);
        Assert.InRange(alt.Length, 40, 1024);
    }

    [Fact]
    public async Task MoodMusic_Reply_EmbedCarriesTheChartsFiguresAsText()
    {
        var interaction = Payloads.MoodMusic(Fake.CdnUrl());
        await Send(interaction);

        var edit = await EditOf(interaction);

        var fields = Fields(edit.Json!.Value.GetProperty("embeds")[0]);
        var emotions = fields["Emotions"].Split(" · ");
        Assert.Equal(3, emotions.Length);
        Assert.Contains("happy", emotions[0], StringComparison.Ordinal);
        Assert.Contains("neutral", emotions[1], StringComparison.Ordinal);
        Assert.All(emotions, e => Assert.EndsWith("%", e, StringComparison.Ordinal));
        Assert.Matches(@"valence \*\*0\.\d\d\*\* · energy \*\*0\.\d\d\*\*", fields["Target"]);
    }

    [Fact]
    public void AltText_OrdersEmotionsByShareAndNamesTheMode()
    {
        var mood = EmotionProbabilities.FromScores([0.03f, 0.01f, 0.04f, 0.10f, 0.62f, 0.12f, 0.08f]);
        var reply = new MoodReply(mood, [], false, new MoodTarget(0.25, 0.31), RecommendationMode.Lift, 10, "1", new Recommendation([], [], "t"));

        var alt = ReplyBuilder.AltText(reply);

        Assert.Equal("Mood chart. Top emotions: sad 62%, surprise 12%, happy 10%. Music target: valence 0.25, energy 0.31 (lift mode).", alt);
    }

    private static Dictionary<string, string> Fields(JsonElement embed) =>
        embed.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("value").GetString()!);
}
