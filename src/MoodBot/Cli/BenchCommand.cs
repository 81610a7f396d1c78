using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Vision;
using OpenCvSharp;

namespace MoodBot.Cli;

/// <summary>
/// <c>moodbot bench [--json]</c>: per-stage latency of the photo pipeline at three photo sizes, throughput with 1 and 2
/// workers, peak memory and start-up time, against the paper's method (Haar default cascade on the full-resolution photo,
/// same classifier) with the face recall of both on the labelled shared photos.
/// </summary>
public static class BenchCommand
{
    private static readonly (int W, int H)[] Sizes = [(640, 480), (1920, 1080), (4032, 3024)];

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var photos = new Option<DirectoryInfo>("--photos") { Description = "Folder of source photos (default ../shared/photos).", DefaultValueFactory = _ => new DirectoryInfo("../shared/photos") };
        var truth = new Option<FileInfo>("--ground-truth") { Description = "Hand-labelled faces (default bench/faces-ground-truth.json).", DefaultValueFactory = _ => new FileInfo("bench/faces-ground-truth.json") };
        var baseline = new Option<FileInfo>("--baseline-cascade") { Description = "The paper's detector.", DefaultValueFactory = _ => new FileInfo("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml") };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs per size.", DefaultValueFactory = _ => 40 };
        var cmd = new Command("bench", "Measure the photo pipeline against the paper's method.") { json, photos, truth, baseline, iterations };
        cmd.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(json), parse.GetRequiredValue(photos), parse.GetRequiredValue(truth),
            parse.GetRequiredValue(baseline), parse.GetValue(iterations), Console.Out, Console.Error, ct)));
        return cmd;
    }

    public static int Run(bool json, DirectoryInfo photoDir, FileInfo truthFile, FileInfo baselineCascade, int iterations, TextWriter stdout,
        TextWriter stderr, CancellationToken ct)
    {
        var source = Path.Combine(photoDir.FullName, "bbt1.jpg");
        if (!File.Exists(source))
        {
            stderr.WriteLine($"error: {source} not found (--photos)");
            return ExitCodes.BadInput;
        }

        using var host = MoodBotHost.CreateBuilder(cli: true).Build();
        var analyzer = host.Services.GetRequiredService<PhotoAnalyzer>();
        var classifier = host.Services.GetRequiredService<EmotionClassifier>();
        var options = host.Services.GetRequiredService<IOptions<VisionOptions>>().Value;
        // Measured from the OS process start, so runtime load and JIT count too.
        var ready = TimeProvider.System.GetUtcNow() - Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var result = new JsonObject
        {
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            ["cold_start_ms"] = Math.Round(ready.TotalMilliseconds),
        };

        var e2eP50 = new JsonObject();
        var e2eP95 = new JsonObject();
        var stages = new JsonObject();
        var baselineMs = new JsonObject();
        var ratio = new JsonObject();
        using var src = Cv2.ImRead(source);
        var images = Sizes.ToDictionary(s => s, s => Fit(src, s.W, s.H));
        foreach (var ((w, h), bytes) in images)
        {
            ct.ThrowIfCancellationRequested();
            var key = $"{w}x{h}";
            for (var i = 0; i < 3; i++)
            {
                analyzer.Analyze(bytes, ct);
            }

            var runs = new List<PhotoAnalysis>();
            var n = w * h > 5_000_000 ? Math.Max(5, iterations / 2) : iterations;
            var e2e = new List<double>();
            for (var i = 0; i < n; i++)
            {
                var sw = Stopwatch.StartNew();
                runs.Add(analyzer.Analyze(bytes, ct));
                e2e.Add(sw.Elapsed.TotalMilliseconds);
            }

            var faces = runs[0].Faces.Count;
            e2eP50[key] = R(Pct(e2e, 50));
            e2eP95[key] = R(Pct(e2e, 95));
            stages[key] = new JsonObject
            {
                ["faces"] = faces,
                ["decode_p50_ms"] = R(Pct(runs.Select(r => r.Timings.Decode.TotalMilliseconds), 50)),
                ["decode_p95_ms"] = R(Pct(runs.Select(r => r.Timings.Decode.TotalMilliseconds), 95)),
                ["detect_p50_ms"] = R(Pct(runs.Select(r => r.Timings.Detect.TotalMilliseconds), 50)),
                ["detect_p95_ms"] = R(Pct(runs.Select(r => r.Timings.Detect.TotalMilliseconds), 95)),
                ["classify_p50_ms"] = R(Pct(runs.Select(r => r.Timings.Classify.TotalMilliseconds), 50)),
                ["classify_p95_ms"] = R(Pct(runs.Select(r => r.Timings.Classify.TotalMilliseconds), 95)),
                ["per_face_p50_ms"] = faces == 0 ? null : R(Pct(e2e, 50) / faces),
            };
        }

        // Our peak memory, read before the baseline runs: its full-resolution decodes would otherwise set the mark.
        var hd = images[(1920, 1080)];
        result["throughput_per_s"] = new JsonObject { ["1"] = R(Throughput(analyzer, hd, 1, ct)), ["2"] = R(Throughput(analyzer, hd, 2, ct)) };
        result["peak_rss_mb"] = PeakRssMb();
        if (baselineCascade.Exists)
        {
            foreach (var ((w, h), bytes) in images)
            {
                var key = $"{w}x{h}";
                var bn = w * h > 5_000_000 ? 2 : 4;
                var times = new List<double>();
                for (var i = 0; i < bn; i++)
                {
                    var sw = Stopwatch.StartNew();
                    Baseline(bytes, baselineCascade.FullName, classifier);
                    times.Add(sw.Elapsed.TotalMilliseconds);
                }

                baselineMs[key] = R(Pct(times, 50));
                ratio[key] = R(Pct(times, 50) / e2eP50[key]!.GetValue<double>());
            }
        }

        result["e2e_p50_ms"] = e2eP50;
        result["e2e_p95_ms"] = e2eP95;
        result["stages"] = stages;
        if (baselineCascade.Exists)
        {
            result["baseline_e2e_p50_ms"] = baselineMs;
            result["baseline_ratio"] = ratio;
        }
        else
        {
            result["baseline_note"] = $"baseline cascade {baselineCascade.FullName} missing (Debian package opencv-data)";
        }

        if (truthFile.Exists)
        {
            result["recall"] = Recall(truthFile, photoDir, analyzer, baselineCascade);
        }

        result["peak_rss_incl_baseline_mb"] = PeakRssMb();
        if (json)
        {
            stdout.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            WriteTable(result, stdout);
        }

        return ExitCodes.Ok;
    }

    /// <summary>The paper's method: full-resolution decode, Haar default cascade with OpenCV's defaults, same classifier.</summary>
    private static int Baseline(byte[] bytes, string cascadePath, EmotionClassifier classifier)
    {
        using var colour = Cv2.ImDecode(bytes, ImreadModes.Color);
        using var grey = new Mat();
        Cv2.CvtColor(colour, grey, ColorConversionCodes.BGR2GRAY);
        using var cascade = new CascadeClassifier(cascadePath);
        var boxes = cascade.DetectMultiScale(grey, 1.1, 3);
        if (boxes.Length == 0)
        {
            return 0;
        }

        var side = classifier.InputSide;
        var buffer = new float[boxes.Length * side * side];
        for (var i = 0; i < boxes.Length; i++)
        {
            // The paper's method: unrotated crop, 10 % margin, no equalisation.
            var b = boxes[i];
            FaceCropper.WriteTensor(grey, new ScoredFace(b, 1f, new Point2f(b.X, b.Y), new Point2f(b.Right, b.Y)), new CropFraming(0.1, 0, false, false), side,
                buffer.AsSpan(i * side * side, side * side));
        }

        classifier.Classify(buffer, boxes.Length);
        return boxes.Length;
    }

    private static JsonObject Recall(FileInfo truthFile, DirectoryInfo dir, PhotoAnalyzer analyzer, FileInfo baselineCascade)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(truthFile.FullName));
        int total = 0, ours = 0, oursFalse = 0, base0 = 0, baseFalse = 0;
        using var cascade = baselineCascade.Exists ? new CascadeClassifier(baselineCascade.FullName) : null;
        foreach (var p in doc.RootElement.GetProperty("photos").EnumerateObject())
        {
            var faces = p.Value.GetProperty("faces").EnumerateArray().Select(FaceMatching.ToRect).ToList();
            var known = faces.Concat(p.Value.GetProperty("profile").EnumerateArray().Select(FaceMatching.ToRect)).ToList();
            var bytes = File.ReadAllBytes(Path.Combine(dir.FullName, p.Name));
            var found = analyzer.Analyze(bytes).Faces.Select(f => new Rect(f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height)).ToList();
            total += faces.Count;
            ours += faces.Count(f => found.Any(b => FaceMatching.Matches(b, f)));
            oursFalse += found.Count(b => !known.Any(f => FaceMatching.Matches(b, f)));
            if (cascade is not null)
            {
                using var grey = Cv2.ImDecode(bytes, ImreadModes.Grayscale);
                var bf = cascade.DetectMultiScale(grey, 1.1, 3);
                base0 += faces.Count(f => bf.Any(b => FaceMatching.Matches(b, f)));
                baseFalse += bf.Count(b => !known.Any(f => FaceMatching.Matches(b, f)));
            }
        }

        return new JsonObject
        {
            ["labelled_faces"] = total,
            ["ours_found"] = ours,
            ["ours_false_faces"] = oursFalse,
            ["baseline_found"] = cascade is null ? null : base0,
            ["baseline_false_faces"] = cascade is null ? null : baseFalse,
        };
    }

    private static double Throughput(PhotoAnalyzer analyzer, byte[] photo, int workers, CancellationToken ct)
    {
        var count = 0;
        var sw = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(4);
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct }, _ =>
        {
            while (sw.Elapsed < until)
            {
                analyzer.Analyze(photo, ct);
                Interlocked.Increment(ref count);
            }
        });
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>The photo scaled to fit w×h and centred on grey, as a quality-90 JPEG (what phones and Discord deliver).</summary>
    private static byte[] Fit(Mat src, int w, int h)
    {
        var scale = Math.Min((double)w / src.Width, (double)h / src.Height);
        using var scaled = new Mat();
        Cv2.Resize(src, scaled, new Size(0, 0), scale, scale, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Cubic);
        using var canvas = new Mat(h, w, MatType.CV_8UC3, new Scalar(128, 128, 128));
        using (var roi = new Mat(canvas, new Rect((w - scaled.Width) / 2, (h - scaled.Height) / 2, scaled.Width, scaled.Height)))
        {
            scaled.CopyTo(roi);
        }

        Cv2.ImEncode(".jpg", canvas, out var bytes, [(int)ImwriteFlags.JpegQuality, 90]);
        return bytes;
    }

    private static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return Math.Round(double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024, 1);
            }
        }

        return double.NaN;
    }

    private static double Pct(IEnumerable<double> values, int p)
    {
        var s = values.Order().ToArray();
        return s.Length == 0 ? double.NaN : s[Math.Clamp((int)Math.Ceiling(p / 100.0 * s.Length) - 1, 0, s.Length - 1)];
    }

    private static double R(double v) => Math.Round(v, 2);

    private static void WriteTable(JsonObject r, TextWriter o)
    {
        o.WriteLine($"machine: {r["machine"]}   cold start to ready: {r["cold_start_ms"]} ms   peak RSS: {r["peak_rss_mb"]} MB");
        o.WriteLine($"{"size",-11}{"faces",6}{"decode p50",12}{"detect p50",12}{"classify p50",14}{"e2e p50",10}{"e2e p95",10}{"per face",10}{"baseline",10}{"ratio",8}");
        foreach (var (w, h) in Sizes)
        {
            var k = $"{w}x{h}";
            var s = r["stages"]![k]!;
            o.WriteLine($"{k,-11}{s["faces"],6}{s["decode_p50_ms"],12}{s["detect_p50_ms"],12}{s["classify_p50_ms"],14}{r["e2e_p50_ms"]![k],10}{r["e2e_p95_ms"]![k],10}{s["per_face_p50_ms"],10}{r["baseline_e2e_p50_ms"]?[k],10}{r["baseline_ratio"]?[k],8}");
        }

        o.WriteLine($"throughput (1920x1080): 1 worker {r["throughput_per_s"]!["1"]}/s, 2 workers {r["throughput_per_s"]!["2"]}/s");
        o.WriteLine($"recall on labelled photos: {r["recall"]?.ToJsonString()}");
    }
}
