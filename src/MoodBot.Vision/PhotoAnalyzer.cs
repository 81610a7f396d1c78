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
    PhotoAnalysisGate gate,
    TimeProvider time,
    MoodBotMetrics metrics,
    ILogger<PhotoAnalyzer> logger) : IPhotoAnalyzer
{
    private readonly VisionOptions _options = options.Value;
    private readonly CropFraming _framing = CropFraming.From(options.Value);

    /// <summary>
    /// The bot's entry: the header is checked first (a refused photo never queues), then the photo waits for a slot of
    /// the <see cref="PhotoAnalysisGate"/>; with every slot busy and the queue full it is turned away at once.
    /// </summary>
    public async Task<PhotoAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var header = Probe(photo);
        var waited = time.GetTimestamp();
        using var slot = await gate.EnterAsync((long)header.Width * header.Height, cancellationToken).ConfigureAwait(false);
        if (!slot.IsAcquired)
        {
            Log.AnalysisBusy(logger);
            metrics.PhotoBusy();
            throw new PhotoAnalysisBusyException();
        }

        metrics.Stage("analysis_queue", time.GetElapsedTime(waited));
        return Analyze(photo, header, cancellationToken);
    }

    /// <summary>Synchronous core (CPU-bound), outside the gate: for the CLI verbs, which analyse one photo at a time.</summary>
    public PhotoAnalysis Analyze(ReadOnlyMemory<byte> photo, CancellationToken cancellationToken = default) =>
        Analyze(photo, Probe(photo), cancellationToken);

    private ImageHeader Probe(ReadOnlyMemory<byte> photo)
    {
        try
        {
            return ImageProbe.Read(photo, _options);
        }
        catch (UnsupportedImageException e)
        {
            Log.PhotoRefused(logger, e.Problem.ToString());
            metrics.PhotoRefused(e.Problem);
            throw;
        }
    }

    private PhotoAnalysis Analyze(ReadOnlyMemory<byte> photo, ImageHeader header, CancellationToken cancellationToken)
    {
        var t0 = time.GetTimestamp();
        var decoded = PhotoDecoder.Decode(photo, header, _options.DetectionMaxSide);
        var (width, height, reduction) = (decoded.OriginalWidth, decoded.OriginalHeight, decoded.Reduction);
        var t1 = time.GetTimestamp();
        var t2 = t1;
        ScoredFace[] boxes;
        var side = classifier.InputSide;
        var per = side * side;
        float[]? buffer = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            boxes = detector.Detect(decoded.Colour);
            t2 = time.GetTimestamp();
            cancellationToken.ThrowIfCancellationRequested();
            if (boxes.Length > 0)
            {
                buffer = ArrayPool<float>.Shared.Rent(boxes.Length * per);
                for (var i = 0; i < boxes.Length; i++)
                {
                    FaceCropper.WriteTensor(decoded.Grey, boxes[i], _framing, side, buffer.AsSpan(i * per, per));
                }
            }
        }
        catch
        {
            if (buffer is not null)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }

            throw;
        }
        finally
        {
            // The decoded pixels (up to MaxPixels × 4 bytes) go as soon as the crops are cut, not after classification:
            // under a crowd that is the difference between holding one photo per slot and holding it a little longer.
            decoded.Dispose();
        }

        var faces = new List<FaceEmotion>(boxes.Length);
        if (buffer is not null)
        {
            try
            {
                var probs = classifier.Classify(buffer.AsMemory(0, boxes.Length * per), boxes.Length);
                for (var i = 0; i < boxes.Length; i++)
                {
                    var b = boxes[i].Box;
                    var box = new FaceBox(b.X * reduction, b.Y * reduction, b.Width * reduction, b.Height * reduction);
                    faces.Add(new FaceEmotion(Clamp(box, width, height), probs[i], boxes[i].Score));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        var t3 = time.GetTimestamp();
        var timings = new PhotoTimings(time.GetElapsedTime(t0, t1), time.GetElapsedTime(t1, t2), time.GetElapsedTime(t2, t3));
        Log.PhotoAnalyzed(logger, width, height, header.Format.ToString(), reduction, faces.Count, timings.Total.TotalMilliseconds);
        var analysis = new PhotoAnalysis(width, height, faces, timings, _options.MoodFaceFloor);
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
