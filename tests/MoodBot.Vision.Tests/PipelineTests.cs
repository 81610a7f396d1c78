using System.Text.Json;
using MoodBot.Core;
using OpenCvSharp;

namespace MoodBot.Vision.Tests;

[Collection(VisionGroup.Name)]
public sealed class PipelineTests(VisionFixture vision)
{
    [Fact]
    public void Analyze_GroupPhoto_FindsAllFourFaces()
    {
        var r = vision.Analyze(File.ReadAllBytes(SharedData.Path("photos/bbt1.jpg")));
        Assert.Equal(4, r.Faces.Count);
        Assert.NotNull(r.Mood);
        Assert.All(r.Faces, f =>
        {
            Assert.InRange(f.Probabilities.AsSpan().ToArray().Sum(), 0.999f, 1.001f);
            Assert.True(f.Box.Width >= 40 && f.Box.X + f.Box.Width <= r.Width && f.Box.Y + f.Box.Height <= r.Height);
        });
    }

    [Fact]
    public void Analyze_FaceFreeImage_NoFaces()
    {
        var r = vision.Analyze(File.ReadAllBytes(SharedData.Path("photos/white.png")));
        Assert.Empty(r.Faces);
        Assert.Null(r.Mood);
    }

    [Fact]
    public void Analyze_EverySharedPhoto_Runs()
    {
        var files = Directory.GetFiles(SharedData.Path("photos"));
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var r = vision.Analyze(File.ReadAllBytes(f));
            Assert.True(r.Width > 0 && r.Height > 0, f);
        }
    }

    [Fact]
    public void Analyze_FaceFillingTheFrame_Found()
    {
        // A face cropped tight to the frame (the "full frame" end of the 40 px .. full-frame range).
        using var src = Cv2.ImRead(SharedData.Path("photos/bbt1.jpg"));
        var face = vision.Analyze(File.ReadAllBytes(SharedData.Path("photos/bbt1.jpg"))).Faces[0].Box;
        var pad = face.Width / 5;
        using var crop = new Mat(src, new Rect(face.X - pad, face.Y - pad, face.Width + 2 * pad, face.Height + 2 * pad));
        using var big = new Mat();
        Cv2.Resize(crop, big, new Size(800, 800));
        var r = vision.Analyze(TestImages.Encode(big, ".jpg"));
        Assert.Single(r.Faces);
        Assert.True(r.Faces[0].Box.Width > 400);
    }

    [Fact]
    public void Analyze_SmallFaces_FoundDownToAbout40Pixels()
    {
        var path = SharedData.Path("photos/bbt1.jpg");
        using var src = Cv2.ImRead(path);
        var original = vision.Analyze(File.ReadAllBytes(path)).Faces;
        var smallest = original.Min(f => f.Box.Width);
        var scale = 42.0 / smallest; // the smallest face becomes ~42 px wide
        using var small = new Mat();
        Cv2.Resize(src, small, new Size(0, 0), scale, scale, InterpolationFlags.Area);
        var r = vision.Analyze(TestImages.Encode(small, ".png"));
        Assert.True(r.Faces.Count >= 3, $"found {r.Faces.Count} faces at {small.Width}x{small.Height}");
    }

    [Fact]
    public void Mood_IsFaceSizeWeighted()
    {
        var big = new FaceEmotion(new FaceBox(0, 0, 100, 100), EmotionProbabilities.OneHot(Emotion.Happy));
        var small = new FaceEmotion(new FaceBox(0, 0, 20, 20), EmotionProbabilities.OneHot(Emotion.Sad));
        var mood = Mood.FromFaces([big, small, small]);
        Assert.Equal(Emotion.Happy, mood.Emotion);
        Assert.Equal(10000f / 10800f, mood.Probabilities[Emotion.Happy], 4);
    }

    [Fact]
    public void Classifier_MatchesPyTorchExport_Within1e4()
    {
        // models/emotion.parity.json holds PyTorch's probabilities for the first val images (written by training/export.py).
        var fixture = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "models", "emotion.parity.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(fixture));
        var images = doc.RootElement.GetProperty("images").EnumerateArray().Select(e => e.GetString()!).ToList();
        var expected = doc.RootElement.GetProperty("probabilities").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToList();
        var root = SharedData.Path("datasets/fer2013/val");
        var mats = images.Select(i => Cv2.ImDecode(File.ReadAllBytes(Path.Combine(root, i)), ImreadModes.Grayscale)).ToList();
        try
        {
            var actual = vision.Analyzer.ClassifyCrops(mats);
            var worst = 0.0;
            for (var i = 0; i < actual.Length; i++)
            {
                for (var k = 0; k < Emotions.Count; k++)
                {
                    worst = Math.Max(worst, Math.Abs(actual[i].AsSpan()[k] - expected[i][k]));
                }
            }

            Assert.True(worst <= 1e-4, $"max |ORT - PyTorch| = {worst:E2}");
        }
        finally
        {
            mats.ForEach(m => m.Dispose());
        }
    }

    [Fact]
    public void Evaluate_FerVal_MatchesPythonAccuracyAndBar()
    {
        var report = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "models", "emotion.report.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var python = doc.RootElement.GetProperty("val_accuracy_torch_tta").GetDouble();
        var r = vision.Evaluator.Evaluate(SharedData.Path("datasets/fer2013/val"), TestContext.Current.CancellationToken);
        Assert.Equal(3589, r.Images);
        Assert.True(Math.Abs(r.Accuracy - python) <= 0.002, $"C# {r.Accuracy:P2} vs Python {python:P2}");
        Assert.True(r.Accuracy >= 0.70, $"accuracy {r.Accuracy:P2} is below the 70 % bar");
    }
}
