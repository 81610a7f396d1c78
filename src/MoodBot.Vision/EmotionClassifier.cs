using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MoodBot.Core;

namespace MoodBot.Vision;

/// <summary>
/// Runs the emotion CNN through ONNX Runtime. One <see cref="InferenceSession"/> lives for the whole process:
/// <c>Run</c> is thread-safe, and creating a session per request would cost tens of milliseconds and megabytes each time.
/// </summary>
public sealed class EmotionClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();

    // Per thread and face count: a pinned input/output pair bound once (EmotionReuseTensors). ThreadLocal because
    // concurrent workers call Classify at once and a tensor must not be written while another Run reads it.
    private readonly ThreadLocal<Dictionary<int, BoundTensors>>? _bound;
    private const int MaxBoundFaces = 16;

    public EmotionClassifier(IOptions<VisionOptions> options, ILogger<EmotionClassifier> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = ModelPaths.Resolve(options.Value.EmotionModelPath);
        if (!File.Exists(path))
        {
            // Fail at start, not on the first photo a member sends.
            throw new FileNotFoundException($"Emotion model not found at '{path}' (MoodBot:Vision:EmotionModelPath).", path);
        }

        using var so = new SessionOptions
        {
            IntraOpNumThreads = options.Value.InferenceThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = options.Value.EmotionGraphOptimization,
            EnableCpuMemArena = options.Value.EmotionMemoryArena,
        };
        _session = new InferenceSession(path, so);
        if (options.Value.EmotionReuseTensors)
        {
            _bound = new ThreadLocal<Dictionary<int, BoundTensors>>(() => [], trackAllValues: true);
        }

        // Names and the face side come from the model itself, so a retrained model with other names still loads.
        var input = _session.InputMetadata.Single();
        var output = _session.OutputMetadata.First();
        var dims = input.Value.Dimensions;
        if (dims.Length != 4 || dims[1] != 1 || dims[2] <= 0 || dims[2] != dims[3])
        {
            throw new InvalidDataException($"Emotion model input must be [N,1,S,S]; '{path}' has [{string.Join(',', dims)}].");
        }

        var outDims = output.Value.Dimensions;
        if (outDims.Length != 2 || outDims[1] != Emotions.Count)
        {
            throw new InvalidDataException($"Emotion model output must be [N,{Emotions.Count}]; '{path}' has [{string.Join(',', outDims)}].");
        }

        InputSide = dims[2];
        _inputNames = [input.Key];
        _outputNames = [output.Key];
        Log.ModelLoaded(logger, path, input.Key, $"[{string.Join(',', dims)}]", output.Key);
    }

    /// <summary>Side of the square grey face the model expects (48 for FER2013 models).</summary>
    public int InputSide { get; }

    /// <summary>Classifies <paramref name="count"/> faces laid out as [count, 1, side, side] pixels in 0..1.</summary>
    public EmotionProbabilities[] Classify(ReadOnlyMemory<float> pixels, int count)
    {
        var per = InputSide * InputSide;
        if (count <= 0)
        {
            return [];
        }

        if (pixels.Length < count * per)
        {
            throw new ArgumentException("not enough pixels for the face count", nameof(pixels));
        }

        if (_bound is not null && count <= MaxBoundFaces)
        {
            return ClassifyBound(pixels.Span[..(count * per)], count);
        }

        // The tensor wraps our buffer without copying; ORT only reads it.
        var rented = ArrayPool<float>.Shared.Rent(count * per);
        try
        {
            pixels.Span[..(count * per)].CopyTo(rented);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, rented.AsMemory(0, count * per),
                [count, 1, InputSide, InputSide]);
            using var outputs = _session.Run(_runOptions, _inputNames, [input], _outputNames);
            var probs = outputs[0].GetTensorDataAsSpan<float>();
            var result = new EmotionProbabilities[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = EmotionProbabilities.FromScores(probs.Slice(i * Emotions.Count, Emotions.Count));
            }

            return result;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private EmotionProbabilities[] ClassifyBound(ReadOnlySpan<float> pixels, int count)
    {
        var cache = _bound!.Value!;
        if (!cache.TryGetValue(count, out var t))
        {
            t = new BoundTensors(count, InputSide);
            cache[count] = t;
        }

        pixels.CopyTo(t.Input);
        _session.Run(_runOptions, _inputNames, [t.InputValue], _outputNames, [t.OutputValue]);
        var result = new EmotionProbabilities[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = EmotionProbabilities.FromScores(t.Output.AsSpan(i * Emotions.Count, Emotions.Count));
        }

        return result;
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        if (_bound is not null)
        {
            foreach (var t in _bound.Values.SelectMany(d => d.Values))
            {
                t.Dispose();
            }

            _bound.Dispose();
        }
    }
}
