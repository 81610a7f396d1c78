using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MoodBot.Vision;

namespace MoodBot.Cli;

/// <summary>
/// <c>moodbot bench-classifier [--json]</c>: the emotion classifier alone under each ONNX Runtime setting that
/// <see cref="VisionOptions"/> exposes (graph optimisation, intra-op threads, memory arena, tensor reuse), one setting
/// changed at a time from the configured one. Settings are measured in interleaved rounds so that a burst of load on a
/// shared machine hits every setting alike instead of whichever happened to run then.
/// </summary>
public static class BenchClassifierCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var faces = new Option<int>("--faces") { Description = "Faces per call (the bench photo has 4).", DefaultValueFactory = _ => 4 };
        var rounds = new Option<int>("--rounds") { Description = "Interleaved rounds per setting.", DefaultValueFactory = _ => 8 };
        var calls = new Option<int>("--calls") { Description = "Timed calls per setting and round.", DefaultValueFactory = _ => 40 };
        var also = new Option<FileInfo[]>("--also-model")
        {
            Description = "Other emotion models measured with the configured settings in the same rounds (a fair ratio on a busy machine).",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("bench-classifier", "Measure the emotion classifier under each ONNX Runtime setting.") { json, faces, rounds, calls, also };
        cmd.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(json), parse.GetValue(faces), parse.GetValue(rounds), parse.GetValue(calls),
            parse.GetValue(also) ?? [], Console.Out, Console.Error, ct)));
        return cmd;
    }

    public static int Run(bool json, int faces, int rounds, int calls, FileInfo[] alsoModels, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(alsoModels);
        if (alsoModels.FirstOrDefault(m => !m.Exists) is { } missing)
        {
            stderr.WriteLine($"error: --also-model: {missing.FullName} not found");
            return ExitCodes.BadInput;
        }

        if (faces is < 1 or > 64 || rounds is < 1 or > 1000 || calls is < 1 or > 100_000)
        {
            stderr.WriteLine("error: --faces must be 1..64, --rounds 1..1000, --calls 1..100000");
            return ExitCodes.BadInput;
        }

        using var host = MoodBotHost.CreateBuilder(cli: true).Build();
        var configured = host.Services.GetRequiredService<IOptions<VisionOptions>>().Value;
        (string Name, Action<VisionOptions> Change)[] variants =
        [
            ("configured", _ => { }),
            ("optimisation disabled", o => o.EmotionGraphOptimization = GraphOptimizationLevel.ORT_DISABLE_ALL),
            ("optimisation basic", o => o.EmotionGraphOptimization = GraphOptimizationLevel.ORT_ENABLE_BASIC),
            ("optimisation extended", o => o.EmotionGraphOptimization = GraphOptimizationLevel.ORT_ENABLE_EXTENDED),
            ("optimisation all", o => o.EmotionGraphOptimization = GraphOptimizationLevel.ORT_ENABLE_ALL),
            ("2 intra-op threads", o => o.InferenceThreads = 2),
            ("memory arena off", o => o.EmotionMemoryArena = false),
            ("memory arena on", o => o.EmotionMemoryArena = true),
            ("tensors reused", o => o.EmotionReuseTensors = true),
            ("tensors per call", o => o.EmotionReuseTensors = false),
            .. alsoModels.Select(m => ($"model {m.Name}", (Action<VisionOptions>)(o => o.EmotionModelPath = m.FullName))),
        ];

        var classifiers = new List<(string Name, EmotionClassifier Classifier, double LoadMs, VisionOptions Options)>();
        try
        {
            foreach (var (name, change) in variants)
            {
                var o = Copy(configured);
                change(o);
                var sw = Stopwatch.StartNew();
                var c = new EmotionClassifier(Options.Create(o), NullLogger<EmotionClassifier>.Instance);
                classifiers.Add((name, c, sw.Elapsed.TotalMilliseconds, o));
            }

            var side = classifiers[0].Classifier.InputSide;
            var rng = new Random(18);
            var pixels = new float[faces * side * side];
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = rng.Next(256) / 255f;
            }

            var single = classifiers.Select(_ => new List<double>()).ToArray();
            var pairs = new double[classifiers.Count];
            var pairSeconds = new double[classifiers.Count];
            foreach (var (_, c, _, _) in classifiers)
            {
                for (var i = 0; i < 5; i++)
                {
                    c.Classify(pixels, faces);
                }
            }

            for (var r = 0; r < rounds; r++)
            {
                for (var v = 0; v < classifiers.Count; v++)
                {
                    ct.ThrowIfCancellationRequested();
                    var c = classifiers[v].Classifier;
                    for (var i = 0; i < calls; i++)
                    {
                        var sw = Stopwatch.StartNew();
                        c.Classify(pixels, faces);
                        single[v].Add(sw.Elapsed.TotalMilliseconds);
                    }

                    // Two callers at once, as two bot workers are.
                    var t = Stopwatch.StartNew();
                    Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, _ =>
                    {
                        var mine = new float[pixels.Length];
                        pixels.CopyTo(mine, 0);
                        for (var i = 0; i < calls; i++)
                        {
                            c.Classify(mine, faces);
                        }
                    });
                    pairs[v] += 2 * calls;
                    pairSeconds[v] += t.Elapsed.TotalSeconds;
                }
            }

            var rows = new JsonArray();
            for (var v = 0; v < classifiers.Count; v++)
            {
                var (name, _, loadMs, o) = classifiers[v];
                rows.Add(new JsonObject
                {
                    ["setting"] = name,
                    ["model"] = o.EmotionModelPath,
                    ["optimisation"] = o.EmotionGraphOptimization.ToString(),
                    ["intra_op_threads"] = o.InferenceThreads,
                    ["memory_arena"] = o.EmotionMemoryArena,
                    ["reuse_tensors"] = o.EmotionReuseTensors,
                    ["load_ms"] = Math.Round(loadMs, 1),
                    ["p50_ms"] = Math.Round(Pct(single[v], 50), 3),
                    ["p95_ms"] = Math.Round(Pct(single[v], 95), 3),
                    ["per_face_p50_ms"] = Math.Round(Pct(single[v], 50) / faces, 3),
                    ["two_callers_calls_per_s"] = Math.Round(pairs[v] / pairSeconds[v], 1),
                });
            }

            var result = new JsonObject
            {
                ["machine"] = $"{Environment.ProcessorCount} cores, {CpuInfo.ModelName()}, {CpuInfo.Summary(CpuInfo.VectorExtensions())}",
                ["model"] = configured.EmotionModelPath,
                ["faces_per_call"] = faces,
                ["calls_per_setting"] = rounds * calls,
                ["settings"] = rows,
            };
            if (json)
            {
                stdout.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                stdout.WriteLine($"machine: {result["machine"]}   model: {configured.EmotionModelPath}   {faces} faces per call");
                stdout.WriteLine($"{"setting",-32}{"load ms",9}{"p50 ms",9}{"p95 ms",9}{"per face",10}{"2 callers/s",13}");
                foreach (var row in rows)
                {
                    stdout.WriteLine($"{row!["setting"],-32}{row["load_ms"],9}{row["p50_ms"],9}{row["p95_ms"],9}{row["per_face_p50_ms"],10}{row["two_callers_calls_per_s"],13}");
                }
            }

            return ExitCodes.Ok;
        }
        finally
        {
            classifiers.ForEach(c => c.Classifier.Dispose());
        }
    }

    private static VisionOptions Copy(VisionOptions o) => new()
    {
        EmotionModelPath = o.EmotionModelPath,
        InferenceThreads = o.InferenceThreads,
        EmotionGraphOptimization = o.EmotionGraphOptimization,
        EmotionMemoryArena = o.EmotionMemoryArena,
        EmotionReuseTensors = o.EmotionReuseTensors,
    };

    private static double Pct(List<double> values, int p)
    {
        var s = values.Order().ToArray();
        return s[Math.Clamp((int)Math.Ceiling(p / 100.0 * s.Length) - 1, 0, s.Length - 1)];
    }
}
