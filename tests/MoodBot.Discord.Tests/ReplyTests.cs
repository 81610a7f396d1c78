using System.Text.Json;
using MoodBot.Core;
using MoodBot.Discord.Replies;
using SkiaSharp;

namespace MoodBot.Discord.Tests;

public sealed class ReplyTests
{
    private static readonly EmotionProbabilities Mood = EmotionProbabilities.FromScores([0.03f, 0.01f, 0.04f, 0.62f, 0.08f, 0.14f, 0.08f]);

    [Theory]
    [InlineData(0, RecommendationMode.Match, 5)]
    [InlineData(1, RecommendationMode.Lift, 20)]
    [InlineData(2, RecommendationMode.Match, 12)]
    [InlineData(3, RecommendationMode.Lift, 10)]
    public void ButtonState_EncodeDecode_RoundTripsWithinDiscordsLimit(int actionIndex, RecommendationMode mode, int count)
    {
        var action = (ButtonAction)actionIndex;
        var state = new ButtonState(action, mode, count, "18446744073709551615", Mood);

        var id = state.Encode();

        Assert.True(id.Length <= 100, id);
        Assert.True(ButtonState.TryDecode(id, out var back));
        Assert.Equal((action, mode, count, "18446744073709551615", Mood.Top), (back.Action, back.Mode, back.Count, back.OwnerId, back.Mood.Top));
        foreach (var e in Emotions.All)
        {
            Assert.Equal(Mood[e], back.Mood[e], 0.01f);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("mm:x:0:10:1:00000000000000")]
    [InlineData("mm:s:0:10:1:00000000000000")] // all zero: no mood
    [InlineData("mm:s:7:10:1:0a0a0a0a0a0a0a")]
    [InlineData("mm:s:0:10:abc:0a0a0a0a0a0a0a")]
    [InlineData("mm:s:0:10:1:0a0a0a0a0a0a")]
    [InlineData("other:s:0:10:1:0a0a0a0a0a0a0a")]
    public void ButtonState_Malformed_Rejected(string customId) => Assert.False(ButtonState.TryDecode(customId, out _));

    [Fact]
    public void Build_Reply_ListsTracksThatClicksCanReadBack()
    {
        var tracks = Enumerable.Range(0, 12).Select(i => new Track($"id{i}", $"Song {i}", ["A"], ["pop"], 50, 0.5, 0.5)).ToList();
        var reply = new MoodReply(Mood, [], false, new MoodTarget(0.7, 0.6), RecommendationMode.Match, 12, "1", new Recommendation(tracks, [], "t"));

        var (message, chart) = ReplyBuilder.Build(reply);
        var embedJson = JsonSerializer.SerializeToElement(message.Embeds![0], DiscordJson.Options);

        Assert.Equal(tracks.Select(t => t.Id), ReplyBuilder.TrackIdsFrom([embedJson]));
        Assert.Equal("image/png", chart.ContentType);
    }

    [Theory]
    [InlineData(0f, "░░░░░░░░░░░░")]
    [InlineData(0.5f, "██████░░░░░░")]
    [InlineData(1f, "████████████")]
    public void Bar_Probability_FillsProportionally(float p, string expected) => Assert.Equal(expected, ReplyBuilder.Bar(p));

    /// <summary>Renders the chart; with MOODBOT_WRITE_SAMPLES=1 also refreshes docs/sample-reply.png.</summary>
    [Fact]
    public void Chart_Render_ProducesAPngWithTheBarsAndThePoint()
    {
        var target = new MoodTarget(0.74, 0.63);

        var png = MoodChart.RenderPng(Mood, target);

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((MoodChart.Width, MoodChart.Height), (bitmap.Width, bitmap.Height));
        // The happy bar (the longest) is drawn in the happy colour, and the target point sits where (v, e) says.
        Assert.Equal(MoodChart.ColorOf(Emotion.Happy), bitmap.GetPixel(94 + 100, 34 + (3 * 33) + 13));
        Assert.Equal(MoodChart.ColorOf(Emotion.Happy), bitmap.GetPixel((int)(400 + (0.74 * 210)), (int)(250 - (0.63 * 210))));
        Assert.InRange(png.Length, 2_000, 200_000);

        if (Environment.GetEnvironmentVariable("MOODBOT_WRITE_SAMPLES") == "1")
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(dir!.FullName, "MoodBot.sln")))
            {
                dir = dir.Parent;
            }

            File.WriteAllBytes(Path.Combine(dir.FullName, "docs", "sample-reply.png"), png);
        }
    }
}
