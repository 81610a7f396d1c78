using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>decode → detect → crop → classify, entirely in memory; the photo is never written anywhere.</summary>
public sealed class PhotoAnalyzer(
    FaceDetector detector,
    EmotionClassifier classifier,
    IOptions<VisionOptions> options,
    TimeProvider time,
    MoodBotMetrics metrics,
    ILogger<PhotoAnalyzer> logger) : IPhotoAnalyzer
{
    private readonly VisionOptions _options = options.Value;
    private readonly CropFraming _framing = CropFraming.From(options.Value);

    public Task<PhotoAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Analyze(photo, cancellationToken));
    }

    /// <summary>Synchronous core (CPU-bound); callers decide which thread pays for it.</summary>
    public PhotoAnalysis Analyze(ReadOnlyMemory<byte> photo, CancellationToken cancellationToken = default)
    {
        var t0 = time.GetTimestamp();
        ImageHeader header;
        try
        {
            header = ImageProbe.Read(photo, _options);
        }
        catch (UnsupportedImageException e)
        {
            Log.PhotoRefused(logger, e.Problem.ToString());
            metrics.PhotoRefused(e.Problem);
            throw;
        }

        using var decoded = PhotoDecoder.Decode(photo, header, _options.DetectionMaxSide);
        var t1 = time.GetTimestamp();
        cancellationToken.ThrowIfCancellationRequested();

        var boxes = detector.Detect(decoded.Colour);
        var t2 = time.GetTimestamp();
        cancellationToken.ThrowIfCancellationRequested();

        var faces = new List<FaceEmotion>(boxes.Length);
        if (boxes.Length > 0)
        {
            var side = classifier.InputSide;
            var per = side * side;
            var buffer = ArrayPool<float>.Shared.Rent(boxes.Length * per);
            try
            {
                for (var i = 0; i < boxes.Length; i++)
                {
                    FaceCropper.WriteTensor(decoded.Grey, boxes[i], _framing, side, buffer.AsSpan(i * per, per));
                }

                var probs = classifier.Classify(buffer.AsMemory(0, boxes.Length * per), boxes.Length);
                var r = decoded.Reduction;
                for (var i = 0; i < boxes.Length; i++)
                {
                    var b = boxes[i].Box;
                    var box = new FaceBox(b.X * r, b.Y * r, b.Width * r, b.Height * r);
                    faces.Add(new FaceEmotion(Clamp(box, decoded.OriginalWidth, decoded.OriginalHeight), probs[i], boxes[i].Score));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        var t3 = time.GetTimestamp();
        var timings = new PhotoTimings(time.GetElapsedTime(t0, t1), time.GetElapsedTime(t1, t2), time.GetElapsedTime(t2, t3));
        Log.PhotoAnalyzed(logger, decoded.OriginalWidth, decoded.OriginalHeight, header.Format.ToString(), decoded.Reduction,
            faces.Count, timings.Total.TotalMilliseconds);
        var analysis = new PhotoAnalysis(decoded.OriginalWidth, decoded.OriginalHeight, faces, timings, _options.MoodFaceFloor);
        metrics.Photo(analysis);
        return analysis;
    }

    /// <summary>
    /// Decode and detect only, boxes in upright original pixels (the scoring verb measures the detector exactly as the bot
    /// runs it, without paying for classification).
    /// </summary>
    public IReadOnlyList<DetectedFace> DetectFaces(ReadOnlyMemory<byte> photo, CancellationToken cancellationToken = default)
    {
        var header = ImageProbe.Read(photo, _options);
        using var decoded = PhotoDecoder.Decode(photo, header, _options.DetectionMaxSide);
        cancellationToken.ThrowIfCancellationRequested();
        var r = decoded.Reduction;
        return detector.Detect(decoded.Colour)
            .Select(f => new DetectedFace(
                Clamp(new FaceBox(f.Box.X * r, f.Box.Y * r, f.Box.Width * r, f.Box.Height * r), decoded.OriginalWidth, decoded.OriginalHeight), f.Score))
            .ToList();
    }

    /// <summary>Classifies an already-cropped face image (evaluation on FER-style folders) through the same cropper.</summary>
    public EmotionProbabilities[] ClassifyCrops(IReadOnlyList<Mat> greyCrops)
    {
        ArgumentNullException.ThrowIfNull(greyCrops);
        var side = classifier.InputSide;
        var per = side * side;
        var buffer = new float[greyCrops.Count * per];
        for (var i = 0; i < greyCrops.Count; i++)
        {
            var m = greyCrops[i];
            FaceCropper.WriteCrop(m, _framing, side, buffer.AsSpan(i * per, per));
        }

        return classifier.Classify(buffer, greyCrops.Count);
    }

    /// <summary>
    /// The part of the box inside the photo. Both edges are clipped: a box starting above the photo loses its part above
    /// (it used to be moved down whole, covering the neck; issue 15).
    /// </summary>
    internal static FaceBox Clamp(FaceBox b, int w, int h)
    {
        var x0 = Math.Clamp(b.X, 0, w);
        var y0 = Math.Clamp(b.Y, 0, h);
        var x1 = Math.Clamp(b.X + b.Width, 0, w);
        var y1 = Math.Clamp(b.Y + b.Height, 0, h);
        return new FaceBox(x0, y0, x1 - x0, y1 - y0);
    }
}
