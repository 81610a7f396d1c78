using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MoodBot.Core;
using MoodBot.Vision;

namespace MoodBot.Hosting;

/// <summary>
/// Loads the emotion and face models before the bot takes traffic. Loading them lazily let a missing or broken file go
/// unnoticed: the bot started, /healthz said healthy, and every /moodmusic failed. Now such a file stops the start with
/// one line naming the key and the path. <c>check-config</c> runs the same loads through <see cref="FindProblems"/>.
/// </summary>
internal sealed class ModelWarmUp(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (FindProblems(services) is [var first, ..])
        {
            throw new StartupFailureException(first);
        }

        // Built here so its one "Photo analysis: … at once" line comes at start, not inside the first member's
        // interaction (where it would carry that interaction's log scope).
        services.GetRequiredService<PhotoAnalysisGate>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Loads each model once (the singletons the pipeline uses); one line per model that does not load.</summary>
    public static List<string> FindProblems(IServiceProvider services)
    {
        var vision = services.GetRequiredService<IOptions<VisionOptions>>().Value;
        var problems = new List<string>();
        Load<EmotionClassifier>(services, "MoodBot:Vision:EmotionModelPath", vision.EmotionModelPath, problems);
        var network = !string.IsNullOrWhiteSpace(vision.FaceModelPath);
        Load<FaceDetector>(services, network ? "MoodBot:Vision:FaceModelPath" : "MoodBot:Vision:FaceCascadePath",
            network ? vision.FaceModelPath! : vision.FaceCascadePath, problems);
        return problems;
    }

    private static void Load<T>(IServiceProvider services, string key, string path, List<string> problems)
        where T : notnull
    {
        var full = Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
        try
        {
            services.GetRequiredService<T>();
        }
        catch (FileNotFoundException e)
        {
            // The detector's verifier cascade has a key of its own; its message names it.
            problems.Add(e.FileName is { } missing && !string.Equals(Path.GetFullPath(missing), full, StringComparison.Ordinal)
                ? $"{e.Message} Restore the file or fix the key."
                : $"{key}: no file at {full}; restore it (it ships in models/ beside the binary) or fix the key.");
        }
        catch (OnnxRuntimeException e)
        {
            problems.Add($"{key}: {full} is not a loadable ONNX model ({Reason(e.Message)}); replace it with the shipped file or fix the key.");
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException
                                      or OpenCvSharp.OpenCVException)
        {
            problems.Add($"{key}: {full} cannot be loaded ({Reason(e.Message)}); replace it with the shipped file or fix the key.");
        }
    }

    /// <summary>ONNX Runtime's messages repeat the path and an error code; the part after "failed:" says what is wrong.</summary>
    private static string Reason(string message)
    {
        var line = message.Split('\n')[0].Trim();
        var at = line.LastIndexOf("failed:", StringComparison.Ordinal);
        return at >= 0 ? line[(at + "failed:".Length)..].Trim() : line;
    }
}
