using System.Text.Json;
using MoodBot.Cli;
using OpenCvSharp;

namespace MoodBot.Vision.Tests;

public sealed class CliTests
{
    private static readonly string[] FaceKeys = ["box", "emotion", "confidence", "probabilities"];
    private static readonly string[] EmotionKeys = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"];

    [Fact]
    public async Task Analyze_Json_HasDocumentedShapeAndExit0()
    {
        var (code, stdout, _) = await Run(SharedData.Path("photos/bbt1.jpg"));
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(stdout);
        var faces = doc.RootElement.GetProperty("faces");
        Assert.Equal(4, faces.GetArrayLength());
        foreach (var f in faces.EnumerateArray())
        {
            Assert.Equal(FaceKeys, f.EnumerateObject().Select(p => p.Name));
            Assert.Equal(["x", "y", "width", "height"], f.GetProperty("box").EnumerateObject().Select(p => p.Name));
            Assert.Equal(EmotionKeys, f.GetProperty("probabilities").EnumerateObject().Select(p => p.Name));
            Assert.Contains(f.GetProperty("emotion").GetString(), EmotionKeys);
        }

        var mood = doc.RootElement.GetProperty("mood");
        Assert.Contains(mood.GetProperty("emotion").GetString(), EmotionKeys);
        Assert.Equal(EmotionKeys, mood.GetProperty("probabilities").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Analyze_NoFace_Exit2WithEmptyFaces()
    {
        var (code, stdout, _) = await Run(SharedData.Path("photos/white.png"));
        Assert.Equal(ExitCodes.NoFace, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(0, doc.RootElement.GetProperty("faces").GetArrayLength());
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("text")]
    [InlineData("huge")]
    [InlineData("missing")]
    public async Task Analyze_BadInput_Exit3WithOneLineReason(string kind)
    {
        var path = Path.Combine(Path.GetTempPath(), $"moodbot-cli-{kind}-{Environment.ProcessId}.bin");
        switch (kind)
        {
            case "empty": await File.WriteAllBytesAsync(path, [], TestContext.Current.CancellationToken); break;
            case "text": await File.WriteAllTextAsync(path, "hello", TestContext.Current.CancellationToken); break;
            case "huge": await File.WriteAllBytesAsync(path, TestImages.PngHeaderOnly(30000, 30000), TestContext.Current.CancellationToken); break;
        }

        try
        {
            var (code, stdout, stderr) = await Run(path);
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Equal(string.Empty, stdout);
            Assert.Single(stderr.TrimEnd().Split('\n'));
            Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Analyze_Table_ListsFacesAndMood()
    {
        using var sw = new StringWriter();
        var code = await AnalyzeCommand.RunAsync(new FileInfo(SharedData.Path("photos/bbt1.jpg")), json: false, sw, TextWriter.Null,
            TestContext.Current.CancellationToken);
        Assert.Equal(0, code);
        var text = sw.ToString();
        Assert.Contains("4 face(s)", text, StringComparison.Ordinal);
        Assert.Contains("Overall mood", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_AnalyzeVerb_ParsesPathAndExitCodes()
    {
        // Through the real parser, as a shell would call it (stdout goes to the console here).
        var ok = await MoodBotCli.Build().Parse(["analyze", SharedData.Path("photos/bbt1.jpg"), "--json"])
            .InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);
        var none = await MoodBotCli.Build().Parse(["analyze", SharedData.Path("photos/white.png")])
            .InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.Ok, ok);
        Assert.Equal(ExitCodes.NoFace, none);
    }

    [Fact]
    public void Build_RootCommand_HasVerbs()
    {
        var root = MoodBotCli.Build();
        Assert.Contains(root.Subcommands, c => c.Name == "analyze");
        Assert.Contains(root.Subcommands, c => c.Name == "evaluate");
        _ = Cv2.GetVersionString();
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(string path)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var code = await AnalyzeCommand.RunAsync(new FileInfo(path), json: true, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }
}
