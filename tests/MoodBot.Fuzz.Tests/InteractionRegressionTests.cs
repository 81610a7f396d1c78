using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoodBot.Discord;
using MoodBot.Discord.Gateway;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Replies;

namespace MoodBot.Fuzz.Tests;

/// <summary>Inputs the interaction fuzzer found crashing (docs/fuzzing.md, "Bugs found"), written out by hand.</summary>
public sealed class InteractionRegressionTests
{
    private const string Head = """{"id":"5","application_id":"6","type":2,"token":"t","member":{"user":{"id":"7"}},""";

    [Theory]
    [InlineData("""{"id":5,"application_id":"6","type":2,"token":"t"}""")] // a snowflake as a number
    [InlineData("""{"id":"5","application_id":"6","type":"2","token":"t"}""")] // the type as a string
    [InlineData("""{"id":"5","application_id":"6","type":2,"token":"t","data":{"options":[{"name":"photo","type":[]}]}}""")]
    [InlineData("""{"id":"5","application_id":"6","type":2,"token":"t","data":{"name":"\ud800\u00e9"}}""")] // InvalidOperationException, gateway
    public void Parse_GatewayEventOfWrongShape_ReturnsNullInsteadOfThrowing(string d)
    {
        // Before the fix the gateway path let JsonException escape, which ended the WebSocket connection for everyone.
        var frame = GatewayFrame.Parse(Encoding.UTF8.GetBytes($$"""{"op":0,"s":1,"t":"INTERACTION_CREATE","d":{{d}}}"""), out _)!;

        Assert.Null(GatewayInteractionSink.Parse(frame.Data));
        Assert.Null(InteractionParser.Parse(Encoding.UTF8.GetBytes(d)));
    }

    [Theory]
    [InlineData("""{"id":"5","application_id":"6","type":2,"token":null}""")]
    [InlineData("""{"id":null,"application_id":"6","type":2,"token":"t"}""")]
    [InlineData("""{"id":"5","application_id":"","type":2,"token":"t"}""")]
    public void Parse_RequiredFieldNullOrEmpty_ReturnsNull(string json)
    {
        // "required" accepts an explicit null; such an interaction could never be answered.
        Assert.Null(InteractionParser.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Null(InteractionParser.Parse(JsonNode.Parse(json)));
    }

    [Fact]
    public void Parse_ValidSeed_ParsesOnBothPaths()
    {
        var json = InteractionSeeds.All().ElementAt(1);

        var http = InteractionParser.Parse(Encoding.UTF8.GetBytes(json));
        var gateway = InteractionParser.Parse(JsonNode.Parse(json));

        Assert.NotNull(http);
        Assert.Equal("moodmusic", http.Data?.Name);
        Assert.Equal(http.Id, gateway?.Id);
    }

    [Theory]
    [InlineData("""[null]""")] // NullReferenceException before the fix
    [InlineData("""[{"name":"photo","type":11,"value":1189000000000000001}]""")] // InvalidOperationException (number, not string)
    [InlineData("""[{"name":"photo","type":11}]""")] // no value at all
    [InlineData("""[{"name":"photo","type":11,"value":"9"},{"name":"count","type":4,"value":"12"},{"name":"mood","type":3,"value":{}}]""")]
    public void CommandArgs_OptionsOfWrongShape_RefusedCleanly(string options)
    {
        var interaction = Parse(Head + "\"data\":{\"name\":\"moodmusic\",\"options\":" + options +
                                ""","resolved":{"attachments":{"8":{"id":"8","url":"https://cdn.discordapp.com/a.png"}}}}}""");

        var e = Assert.Throws<InteractionProblemException>(() => MoodMusicCommand.CommandArgs.Parse(interaction));

        Assert.Equal(ProblemKind.AttachmentRefused, e.Kind);
    }

    [Fact]
    public void CommandArgs_WrongKindsBesideValidPhoto_DefaultsUsed()
    {
        var interaction = Parse(Head + """
            "data":{"name":"moodmusic","options":[{"name":"photo","type":11,"value":"8"},{"name":"count","type":4,"value":"12"},
            {"name":"mood","type":3,"value":7},{"name":"mode","type":3,"value":null}],
            "resolved":{"attachments":{"8":{"id":"8","url":"https://cdn.discordapp.com/a.png"}}}}}
            """);

        var args = MoodMusicCommand.CommandArgs.Parse(interaction);

        Assert.Equal("8", args.Photo.Id);
        // A wrong-kind count counts as not given: the server's default (/moodbot-settings), else the bot's, applies later.
        Assert.Null(args.Count);
        Assert.Null(args.Mood);
    }

    [Fact]
    public void CommandArgs_InvalidUtf8InOptionValue_RefusedCleanly()
    {
        // Option values stay JsonElements, which are not UTF-8-validated until GetString (InvalidOperationException before the fix).
        var bytes = Encoding.UTF8.GetBytes(Head + "\"data\":{\"name\":\"moodmusic\",\"options\":[{\"name\":\"photo\",\"type\":11,\"value\":\"XX\"}]}}");
        var at = Encoding.UTF8.GetString(bytes).IndexOf("XX", StringComparison.Ordinal);
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;
        var interaction = InteractionParser.Parse(bytes)!;
        Assert.NotNull(interaction);

        var e = Assert.Throws<InteractionProblemException>(() => MoodMusicCommand.CommandArgs.Parse(interaction));

        Assert.Equal(ProblemKind.AttachmentRefused, e.Kind);
    }

    [Theory]
    [InlineData("""[{"description":42}]""")]
    [InlineData("""[{"description":null},{"description":["x"]}]""")]
    [InlineData("""[7,"text",null]""")]
    public void TrackIdsFrom_DescriptionNotAString_NoTracks(string embeds)
    {
        using var doc = JsonDocument.Parse(embeds);
        var list = doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();

        Assert.Empty(ReplyBuilder.TrackIdsFrom(list));
    }

    [Fact]
    public void TrackIdsFrom_InvalidUtf8Description_SkippedOthersRead()
    {
        var bytes = Encoding.UTF8.GetBytes("""[{"description":"XX"},{"description":"https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"}]""");
        bytes[17] = 0xC3;
        bytes[18] = 0x28;
        using var doc = JsonDocument.Parse(bytes);
        var list = doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();

        Assert.Equal(["4uLU6hMCjMI75M1A2tKUQC"], ReplyBuilder.TrackIdsFrom(list));
    }

    private static Interaction Parse(string json) =>
        InteractionParser.Parse(Encoding.UTF8.GetBytes(json)) ?? throw new InvalidOperationException("test payload did not parse: " + json);
}
