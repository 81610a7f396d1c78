using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace MoodBot.Vision.Tests;

public sealed class DetectorTests
{
    private static FaceDetector Create(VisionOptions options) => new(Options.Create(options), NullLogger<FaceDetector>.Instance);

    /// <summary>A 1920×1080 group shot: the 6-face photo tiled n×n, so every face is known and they shrink as n grows.</summary>
    private static (Mat Scene, int Faces) Crowd(int n) => Crowd(n, colour: false);

    private static (Mat Scene, int Faces) Crowd(int n, bool colour)
    {
        using var src = Cv2.ImRead(SharedData.Path("photos/bbt4.jpg"), colour ? ImreadModes.Color : ImreadModes.Grayscale);
        var k = Math.Min(1920.0 / n / src.Width, 1080.0 / n / src.Height);
        using var tile = new Mat();
        Cv2.Resize(src, tile, new Size(0, 0), k, k, InterpolationFlags.Area);
        var scene = new Mat(1080, 1920, colour ? MatType.CV_8UC3 : MatType.CV_8UC1, Scalar.All(128));
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                using var roi = new Mat(scene, new Rect(i * 1920 / n, j * 1080 / n, tile.Width, tile.Height));
                tile.CopyTo(roi);
            }
        }

        return (scene, 6 * n * n);
    }

    /// <summary>The labelled boxes of <see cref="Crowd(int, bool)"/>: bbt4.jpg's hand labels, scaled and repeated like the photo.</summary>
    private static List<Rect> CrowdTruth(int n)
    {
        using var src = Cv2.ImRead(SharedData.Path("photos/bbt4.jpg"), ImreadModes.Unchanged);
        var k = Math.Min(1920.0 / n / src.Width, 1080.0 / n / src.Height);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepoFile("bench/faces-ground-truth.json")));
        var faces = doc.RootElement.GetProperty("photos").GetProperty("bbt4.jpg").GetProperty("faces").EnumerateArray()
            .Select(f => new Rect(f[0].GetInt32(), f[1].GetInt32(), f[2].GetInt32(), f[3].GetInt32())).ToList();
        var truth = new List<Rect>();
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                truth.AddRange(faces.Select(f => new Rect((int)Math.Round((i * 1920 / n) + (f.X * k)), (int)Math.Round((j * 1080 / n) + (f.Y * k)),
                    (int)Math.Round(f.Width * k), (int)Math.Round(f.Height * k))));
            }
        }

        return truth;
    }

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MoodBot.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, relative);
            }
        }

        throw new FileNotFoundException($"{relative}: no MoodBot.sln above {AppContext.BaseDirectory}");
    }

    private static double IoU(Rect a, Rect b)
    {
        var i = a.Intersect(b);
        return i.Width <= 0 || i.Height <= 0 ? 0 : (double)i.Width * i.Height / ((a.Width * a.Height) + (b.Width * b.Height) - (i.Width * i.Height));
    }

    [Theory]
    [InlineData(4, true)] // issue 15: four faces of crowd4-colour got a second box offset up and right (IoU 0.2)
    [InlineData(4, false)]
    [InlineData(3, true)]
    [InlineData(2, true)]
    public void Detect_GroupShot_EveryBoxOnItsOwnLabelledFace(int n, bool colour)
    {
        using var detector = Create(new VisionOptions { MaxFaces = 256 });
        var (scene, faces) = Crowd(n, colour);
        var truth = CrowdTruth(n);
        using (scene)
        {
            var found = detector.Detect(scene);
            var taken = new bool[truth.Count];
            foreach (var f in found)
            {
                var best = Enumerable.Range(0, truth.Count).Where(t => !taken[t]).MaxBy(t => IoU(truth[t], f.Box));
                Assert.True(IoU(truth[best], f.Box) >= 0.4, $"box {f.Box} (score {f.Score:0.00}) is on no unclaimed face; nearest {truth[best]}");
                taken[best] = true;
            }

            Assert.InRange(found.Length, faces - (faces / 20), faces);
        }
    }

    [Theory]
    [InlineData(2)] // faces ~100 px: found by the first level alone
    [InlineData(4)] // faces ~55 px: only the second, finer level sees them
    public void Detect_GroupShot_FindsEveryFaceAndNoMore(int n)
    {
        using var detector = Create(new VisionOptions { MaxFaces = 256 });
        var (scene, faces) = Crowd(n);
        using (scene)
        {
            var found = detector.Detect(scene);

            // The tiling is exact, so more boxes than faces would be duplicates or false faces.
            Assert.InRange(found.Length, faces - (faces / 20), faces);
            Assert.All(found, b => Assert.InRange(b.Box.Width, 1920 / n / 12, 1920 / n / 2));
        }
    }

    [Fact]
    public void Detect_CascadeMode_StillFindsTheGroup()
    {
        // FaceModelPath empty: the paper's kind of detector (cascade + verifier), kept for operators who want it.
        using var detector = Create(new VisionOptions { FaceModelPath = "" });
        using var photo = Cv2.ImRead(SharedData.Path("photos/bbt1.jpg"), ImreadModes.Grayscale);
        Assert.Equal(4, detector.Detect(photo).Length);
    }

    [Fact]
    public void Create_MissingFaceModel_FailsAtStartWithTheKey()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Create(new VisionOptions { FaceModelPath = "models/no-such-detector.onnx" }));
        Assert.Contains("MoodBot:Vision:FaceModelPath", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NotAFaceModel_Refused()
    {
        // The emotion model is a valid ONNX file with the wrong shape: it must be refused, not misread.
        Assert.Throws<InvalidDataException>(() => Create(new VisionOptions { FaceModelPath = "models/emotion.onnx" }));
    }

    [Fact]
    public void Detect_BlankAndTinyImages_NoFaces()
    {
        using var detector = Create(new VisionOptions());
        using var blank = new Mat(1080, 1920, MatType.CV_8UC1, Scalar.White);
        using var tiny = new Mat(10, 10, MatType.CV_8UC1, Scalar.Gray);
        Assert.Empty(detector.Detect(blank));
        Assert.Empty(detector.Detect(tiny));
    }

    [Fact]
    public void Offsets_EveryAspectRatioAndSize_CoverTheWholeAxisWithOverlap()
    {
        // Property over aspect ratios 1:4 … 4:1 and sizes: level-1 tiles (as tall as the short side) and level-2 tiles
        // (half of it) cover every pixel, neighbours share at least a fifth of a tile (issue 15: a 940×464 photo had a
        // 12-px gap between its two tiles).
        var rng = new Random(15);
        for (var i = 0; i < 2000; i++)
        {
            var ratio = Math.Pow(4, (rng.NextDouble() * 2) - 1);
            var shortSide = rng.Next(32, 1300);
            var (w, h) = ratio >= 1 ? ((int)(shortSide * ratio), shortSide) : (shortSide, (int)(shortSide / ratio));
            foreach (var side in new[] { Math.Min(w, h), Math.Min(w, h) / 2 })
            {
                foreach (var length in new[] { w, h })
                {
                    var starts = BlazeFaceDetector.Offsets(length, side).ToList();
                    Assert.True(starts[0] <= 0, $"{w}x{h} side {side}: first tile starts at {starts[0]}");
                    Assert.True(starts[^1] + side >= length, $"{w}x{h} side {side}: last tile ends at {starts[^1] + side} of {length}");
                    for (var k = 1; k < starts.Count; k++)
                    {
                        var overlap = starts[k - 1] + side - starts[k];
                        Assert.True(overlap >= (BlazeFaceDetector.MinOverlap * side) - 1, $"{w}x{h} side {side}: overlap {overlap} of {side}");
                    }
                }
            }
        }
    }
}
