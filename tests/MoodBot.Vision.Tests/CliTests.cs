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

    [Fact]
    public async Task ScoreFaces_Detections_WritesEveryPhotosBoxesWithScoresInTheBoxFileShape()
    {
        var boxes = RepoFile("bench/faces-ground-truth.json");
        var output = new FileInfo(Path.Combine(Path.GetTempPath(), $"moodbot-detections-{Environment.ProcessId}.json"));
        using var o = new StringWriter();
        using var e = new StringWriter();
        try
        {
            var code = await ScoreFacesCommand.RunAsync(new FileInfo(boxes), new DirectoryInfo(Path.GetDirectoryName(SharedData.Path("photos/bbt1.jpg"))!),
                json: true, [0.65], [], o, e, TestContext.Current.CancellationToken, output);
            Assert.Equal(ExitCodes.Ok, code);
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(output.FullName, TestContext.Current.CancellationToken));
            var photos = doc.RootElement.GetProperty("photos");
            Assert.Equal(5, photos.EnumerateObject().Count());
            var bbt1 = photos.GetProperty("bbt1.jpg");
            Assert.Equal(4, bbt1.GetProperty("faces").GetArrayLength());
            Assert.All(bbt1.GetProperty("faces").EnumerateArray(), b => Assert.Equal(4, b.GetArrayLength()));
            Assert.All(bbt1.GetProperty("scores").EnumerateArray(), s => Assert.InRange(s.GetDouble(), 0.65, 1.0));
            Assert.Equal(0, photos.GetProperty("white.png").GetProperty("faces").GetArrayLength());
        }
        finally
        {
            output.Delete();
        }
    }

    [Fact]
    public async Task ScoreFaces_DetectionsWithSeveralThresholds_RefusedWithAReason()
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var code = await ScoreFacesCommand.RunAsync(new FileInfo(RepoFile("bench/faces-ground-truth.json")), new DirectoryInfo(Path.GetTempPath()),
            json: true, [0.5, 0.6], [], o, e, TestContext.Current.CancellationToken, new FileInfo(Path.Combine(Path.GetTempPath(), "never-written.json")));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--detections", e.ToString(), StringComparison.Ordinal);
    }

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MoodBot.sln")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new FileNotFoundException($"{relative}: no MoodBot.sln above {AppContext.BaseDirectory}");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(string path)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var code = await AnalyzeCommand.RunAsync(new FileInfo(path), json: true, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }
}
