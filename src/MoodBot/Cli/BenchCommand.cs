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
/// same classifier) with the face recall of both on the labelled shared photos. Next to the absolute times it prints
/// ratios, which hold better across machines than milliseconds do: the paper's method ÷ ours, ours ÷ a plain full decode
/// of the same JPEG, and 2-worker ÷ 1-worker throughput.
/// </summary>
public static class BenchCommand
{
    private static readonly (int W, int H)[] DefaultSizes = [(640, 480), (1920, 1080), (4032, 3024)];

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var photos = new Option<DirectoryInfo>("--photos") { Description = "Folder of source photos (default ../shared/photos).", DefaultValueFactory = _ => new DirectoryInfo("../shared/photos") };
        var truth = new Option<FileInfo>("--ground-truth") { Description = "Hand-labelled faces (default bench/faces-ground-truth.json).", DefaultValueFactory = _ => new FileInfo("bench/faces-ground-truth.json") };
        var baseline = new Option<FileInfo>("--baseline-cascade") { Description = "The paper's detector.", DefaultValueFactory = _ => new FileInfo("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml") };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs per size.", DefaultValueFactory = _ => 40 };
        var seconds = new Option<double>("--throughput-seconds") { Description = "How long each throughput run lasts.", DefaultValueFactory = _ => 4 };
        var sizes = new Option<string[]>("--sizes")
        {
            Description = "Scene sizes as WxH (default 640x480 1920x1080 4032x3024); throughput uses 1920x1080 when listed, else the first.",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("bench", "Measure the photo pipeline against the paper's method.") { json, photos, truth, baseline, iterations, seconds, sizes };
        cmd.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(json), parse.GetRequiredValue(photos), parse.GetRequiredValue(truth),
            parse.GetRequiredValue(baseline), parse.GetValue(iterations), parse.GetValue(seconds), parse.GetValue(sizes), Console.Out, Console.Error, ct)));
        return cmd;
    }

    public static int Run(bool json, DirectoryInfo photoDir, FileInfo truthFile, FileInfo baselineCascade, int iterations, double throughputSeconds,
        string[]? sizeArgs, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (iterations < 1 || throughputSeconds is <= 0 or > 600)
        {
            stderr.WriteLine("error: --iterations must be at least 1 and --throughput-seconds between 0 and 600");
            return ExitCodes.BadInput;
        }

        var sizeList = DefaultSizes;
        if (sizeArgs is { Length: > 0 })
        {
            var parsed = new List<(int W, int H)>();
            foreach (var arg in sizeArgs)
            {
                var parts = arg.Split('x');
                if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w) ||
                    !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) || w is < 64 or > 8192 || h is < 64 or > 8192)
                {
                    stderr.WriteLine($"error: --sizes: '{arg}' is not WxH with each side 64..8192");
                    return ExitCodes.BadInput;
                }

                parsed.Add((w, h));
            }

            sizeList = [.. parsed.Distinct()];
        }

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
        var vector = CpuInfo.VectorExtensions();
        var result = new JsonObject
        {
            ["machine"] = $"{Environment.ProcessorCount} cores, {CpuInfo.ModelName()}, {CpuInfo.Summary(vector)}, {Environment.OSVersion}, .NET {Environment.Version}",
            ["vector_extensions"] = vector,
            ["cold_start_ms"] = Math.Round(ready.TotalMilliseconds),
        };

        var e2eP50 = new JsonObject();
        var e2eP95 = new JsonObject();
        var stages = new JsonObject();
        var baselineMs = new JsonObject();
        var ratio = new JsonObject();
        var jpegDecode = new JsonObject();
        var overDecode = new JsonObject();
        using var src = Cv2.ImRead(source);
        var images = sizeList.ToDictionary(s => s, s => Fit(src, s.W, s.H));
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

            // What any viewer pays for the same file: a full-resolution colour decode. Our own decode stage is cheaper
            // (DCT-scaled), so this is the fixed yardstick for "ours ÷ decode".
            var decodes = new List<double>();
            for (var i = 0; i < n; i++)
            {
                var sw = Stopwatch.StartNew();
                using var full = Cv2.ImDecode(bytes, ImreadModes.Color);
                decodes.Add(sw.Elapsed.TotalMilliseconds);
            }

            jpegDecode[key] = R(Pct(decodes, 50));
            overDecode[key] = R(Pct(e2e, 50) / Pct(decodes, 50));
        }

        // Our peak memory, read before the baseline runs: its full-resolution decodes would otherwise set the mark.
        var hd = images.GetValueOrDefault((1920, 1080)) ?? images[sizeList[0]];
        var duration = TimeSpan.FromSeconds(throughputSeconds);
        var one = Throughput(analyzer, hd, 1, duration, ct);
        var two = Throughput(analyzer, hd, 2, duration, ct);
        result["throughput_per_s"] = new JsonObject { ["1"] = R(one), ["2"] = R(two) };
        result["throughput_size"] = images.ContainsKey((1920, 1080)) ? "1920x1080" : $"{sizeList[0].W}x{sizeList[0].H}";
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
        result["jpeg_decode_p50_ms"] = jpegDecode;
        if (baselineCascade.Exists)
        {
            result["baseline_e2e_p50_ms"] = baselineMs;
            result["baseline_ratio"] = ratio;
        }
        else
        {
            result["baseline_note"] = $"baseline cascade {baselineCascade.FullName} missing (Debian package opencv-data)";
        }

        result["ratios"] = new JsonObject
        {
            ["paper_over_ours"] = baselineCascade.Exists ? ratio.DeepClone() : null,
            ["ours_over_jpeg_decode"] = overDecode,
            ["workers_2_over_1"] = one > 0 ? R(two / one) : null,
        };

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

    private static double Throughput(PhotoAnalyzer analyzer, byte[] photo, int workers, TimeSpan until, CancellationToken ct)
    {
        var count = 0;
        var sw = Stopwatch.StartNew();
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
        o.WriteLine($"{"size",-11}{"faces",6}{"decode p50",12}{"detect p50",12}{"classify p50",14}{"e2e p50",10}{"e2e p95",10}{"per face",10}{"baseline",10}{"paper/us",10}{"jpeg dec",10}{"us/jpeg",9}");
        foreach (var (k, stage) in r["stages"]!.AsObject())
        {
            var s = stage!;
            o.WriteLine($"{k,-11}{s["faces"],6}{s["decode_p50_ms"],12}{s["detect_p50_ms"],12}{s["classify_p50_ms"],14}{r["e2e_p50_ms"]![k],10}{r["e2e_p95_ms"]![k],10}{s["per_face_p50_ms"],10}{r["baseline_e2e_p50_ms"]?[k],10}{r["baseline_ratio"]?[k],10}{r["jpeg_decode_p50_ms"]![k],10}{r["ratios"]!["ours_over_jpeg_decode"]![k],9}");
        }

        o.WriteLine($"throughput ({r["throughput_size"]}): 1 worker {r["throughput_per_s"]!["1"]}/s, 2 workers {r["throughput_per_s"]!["2"]}/s, 2 / 1 = {r["ratios"]!["workers_2_over_1"]}");
        o.WriteLine($"recall on labelled photos: {r["recall"]?.ToJsonString()}");
    }
}
