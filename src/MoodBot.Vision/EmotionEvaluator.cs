using System.Diagnostics;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>Accuracy, per-class recall/precision and the confusion matrix (rows: truth, columns: prediction).</summary>
/// <remarks><paramref name="NoFaceByClass"/>: whole photos (<c>evaluate --photos</c>) of each true class in which no face was
/// found; they count as wrong (in <see cref="Count"/> and <see cref="Recall"/>) and are not in the confusion matrix.</remarks>
public sealed record EvaluationResult(int Images, double Accuracy, int[,] Confusion, TimeSpan Elapsed, IReadOnlyList<string> Skipped,
    int[]? NoFaceByClass = null)
{
    public int NoFace => NoFaceByClass?.Sum() ?? 0;

    public double Recall(Emotion e)
    {
        var n = Count(e);
        return n == 0 ? 0 : (double)Confusion[(int)e, (int)e] / n;
    }

    public double Precision(Emotion e)
    {
        var col = 0;
        for (var i = 0; i < Emotions.Count; i++)
        {
            col += Confusion[i, (int)e];
        }

        return col == 0 ? 0 : (double)Confusion[(int)e, (int)e] / col;
    }

    public int Count(Emotion e)
    {
        var row = NoFaceByClass?[(int)e] ?? 0;
        for (var j = 0; j < Emotions.Count; j++)
        {
            row += Confusion[(int)e, j];
        }

        return row;
    }
}

/// <summary>
/// Evaluates the classifier on an ImageFolder tree of face crops (<c>dir/&lt;class&gt;/*.jpg</c>) through the
/// production decode and crop code, so the figure it prints is the figure the bot achieves on such crops.
/// </summary>
public sealed class EmotionEvaluator(PhotoAnalyzer analyzer, IOptions<VisionOptions> options)
{
    private const int Batch = 256;

    public EvaluationResult Evaluate(string folder, CancellationToken cancellationToken)
    {
        var items = List(folder);
        var sw = Stopwatch.StartNew();
        var confusion = new int[Emotions.Count, Emotions.Count];
        var skipped = new List<string>();
        var correct = 0;
        var total = 0;
        for (var start = 0; start < items.Count; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = items.Skip(start).Take(Batch).ToList();
            var mats = new List<Mat>(chunk.Count);
            var truths = new List<Emotion>(chunk.Count);
            try
            {
                foreach (var (path, truth) in chunk)
                {
                    try
                    {
                        var bytes = File.ReadAllBytes(path);
                        var header = ImageProbe.Read(bytes, options.Value);
                        var decoded = PhotoDecoder.Decode(bytes, header, int.MaxValue, colour: false);
                        mats.Add(decoded.Grey);
                        truths.Add(truth);
                    }
                    catch (UnsupportedImageException)
                    {
                        skipped.Add(path);
                    }
                }

                var probs = analyzer.ClassifyCrops(mats);
                for (var i = 0; i < probs.Length; i++)
                {
                    var pred = probs[i].Top;
                    confusion[(int)truths[i], (int)pred]++;
                    correct += pred == truths[i] ? 1 : 0;
                    total++;
                }
            }
            finally
            {
                foreach (var m in mats)
                {
                    m.Dispose();
                }
            }
        }

        return new EvaluationResult(total, total == 0 ? 0 : (double)correct / total, confusion, sw.Elapsed, skipped);
    }

    /// <summary>
    /// Evaluates the whole pipeline on an ImageFolder of photos: each file goes through <see cref="PhotoAnalyzer.Analyze"/>
    /// exactly as a member's photo does, and the face the photo is most about (the largest) is the prediction. A photo in
    /// which no face is found counts as wrong.
    /// </summary>
    public EvaluationResult EvaluatePhotos(string folder, CancellationToken cancellationToken)
    {
        var items = List(folder);
        var sw = Stopwatch.StartNew();
        var confusion = new int[Emotions.Count, Emotions.Count];
        var skipped = new List<string>();
        var noFace = new int[Emotions.Count];
        int correct = 0, total = 0;
        foreach (var (path, truth) in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PhotoAnalysis analysis;
            try
            {
                analysis = analyzer.Analyze(File.ReadAllBytes(path), cancellationToken);
            }
            catch (UnsupportedImageException)
            {
                skipped.Add(path);
                continue;
            }

            total++;
            // The face the photo is about: largest, weighted by how sure the detector is (as the mood weights faces).
            var face = analysis.Faces.MaxBy(f => f.Box.Area * (double)f.DetectorScore);
            if (face is null)
            {
                noFace[(int)truth]++;
                continue;
            }

            confusion[(int)truth, (int)face.Emotion]++;
            correct += face.Emotion == truth ? 1 : 0;
        }

        return new EvaluationResult(total, total == 0 ? 0 : (double)correct / total, confusion, sw.Elapsed, skipped, noFace);
    }

    private static List<(string Path, Emotion Truth)> List(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No such folder: {folder}");
        }

        var items = new List<(string Path, Emotion Truth)>();
        foreach (var e in Emotions.All)
        {
            var dir = Path.Combine(folder, e.Name());
            if (!Directory.Exists(dir))
            {
                continue;
            }

            items.AddRange(Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal).Select(p => (p, e)));
        }

        if (items.Count == 0)
        {
            throw new InvalidDataException($"No images under {folder}/<class>/ (classes: {string.Join(", ", Emotions.All.Select(x => x.Name()))}).");
        }

        return items;
    }
}
