using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoodBot.Vision;
using OpenCvSharp;

namespace MoodBot.Cli;

/// <summary>
/// <c>moodbot detectors &lt;ground-truth.json&gt; &lt;photo-dir&gt; &lt;cascade.xml or model.onnx&gt;...</c>: compares face detectors on labelled photos
/// (recall, false faces, time at 1920×1080) — the measurement behind the detector choice in models/README.md.
/// </summary>
public static class DetectorsCommand
{
    private static readonly int[] Sides = [1280, 960, 640];
    private static readonly double[] Steps = [1.1, 1.2];
    private static readonly int[] Neighbours = [4, 5];
    private static readonly double[] Thresholds = [0.5, 0.6, 0.75];
    private static readonly bool[] Verify = [true, false];

    public static Command Create()
    {
        var truth = new Argument<FileInfo>("ground-truth") { Description = "JSON with hand-labelled boxes (bench/faces-ground-truth.json)." };
        var dir = new Argument<DirectoryInfo>("photo-dir") { Description = "Folder holding the labelled photos." };
        var cascades = new Argument<FileInfo[]>("cascades") { Description = "OpenCV cascade XML files or BlazeFace ONNX models to compare.", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("detectors", "Compare face detectors on labelled photos.") { truth, dir, cascades };
        cmd.Hidden = true;
        cmd.SetAction((parse, ct) => Task.FromResult(Run(parse.GetRequiredValue(truth), parse.GetRequiredValue(dir), parse.GetRequiredValue(cascades), Console.Out)));
        return cmd;
    }

    public static int Run(FileInfo truthFile, DirectoryInfo dir, FileInfo[] cascades, TextWriter output)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(truthFile.FullName));
        var photos = doc.RootElement.GetProperty("photos").EnumerateObject()
            .Select(p => (Name: p.Name, Faces: p.Value.GetProperty("faces").EnumerateArray().Select(FaceMatching.ToRect).ToList(),
                Profile: p.Value.GetProperty("profile").EnumerateArray().Select(FaceMatching.ToRect).ToList()))
            .ToList();
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"{"cascade",-36}{"side",5}{"step",5}{"minN",5}{"found",7}{"recall",8}{"false",7}{"1080p ms",10}"));
        using var hd = MakeHd(dir, photos.First(p => p.Faces.Count > 0).Name);
        foreach (var cascade in cascades)
        {
            var network = cascade.Extension.Equals(".onnx", StringComparison.OrdinalIgnoreCase);
            var variants = network
                ? from side in Sides from threshold in Thresholds from verify in Verify select (side, step: threshold, minNeighbors: verify ? 1 : 0)
                : from side in Sides from step in Steps from n in Neighbours select (side, step, minNeighbors: n);
            foreach (var (side, step, minNeighbors) in variants)
            {
                // For the network, "step" is the score threshold and minN 1/0 means verified by the second cascade or not.
                var baseOptions = new VisionOptions { DetectionMaxSide = side };
                var options = Options.Create(network
                    ? new VisionOptions
                    {
                        FaceModelPath = cascade.FullName, FaceScoreThreshold = step, DetectionMaxSide = side,
                        VerifierCascadePath = minNeighbors == 1 ? baseOptions.VerifierCascadePath : null,
                    }
                    : new VisionOptions
                    {
                        FaceModelPath = null, FaceCascadePath = cascade.FullName, MinNeighbors = minNeighbors, DetectionMaxSide = side, ScaleFactor = step,
                    });
                using var detector = new FaceDetector(options, NullLogger<FaceDetector>.Instance);
                int found = 0, total = 0, falses = 0;
                foreach (var (name, faces, profile) in photos)
                {
                    using var grey = Cv2.ImRead(Path.Combine(dir.FullName, name), ImreadModes.Color);
                    var boxes = detector.Detect(grey).Select(f => f.Box).ToArray();
                    total += faces.Count;
                    found += faces.Count(f => boxes.Any(b => FaceMatching.Matches(b, f)));
                    falses += boxes.Count(b => !faces.Concat(profile).Any(f => FaceMatching.Matches(b, f)));
                }

                detector.Detect(hd);
                var sw = Stopwatch.StartNew();
                const int Runs = 5;
                for (var i = 0; i < Runs; i++)
                {
                    detector.Detect(hd);
                }

                output.WriteLine(string.Create(inv,
                    $"{cascade.Name,-36}{side,5}{step,5}{minNeighbors,5}{found,4}/{total,-2}{(double)found / total,8:P0}{falses,7}{sw.Elapsed.TotalMilliseconds / Runs,10:0.0}"));
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>A 1920×1080 scene: the first labelled photo scaled to fit, centred on grey.</summary>
    private static Mat MakeHd(DirectoryInfo dir, string name)
    {
        using var src = Cv2.ImRead(Path.Combine(dir.FullName, name), ImreadModes.Grayscale);
        var scale = Math.Min(1920.0 / src.Width, 1080.0 / src.Height);
        using var scaled = new Mat();
        Cv2.Resize(src, scaled, new Size(0, 0), scale, scale, InterpolationFlags.Linear);
        var hd = new Mat(1080, 1920, MatType.CV_8UC1, Scalar.Gray);
        using var roi = new Mat(hd, new Rect((1920 - scaled.Width) / 2, (1080 - scaled.Height) / 2, scaled.Width, scaled.Height));
        scaled.CopyTo(roi);
        return hd;
    }
}
