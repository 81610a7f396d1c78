using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>Finds faces in a grey image with an OpenCV cascade.</summary>
public sealed class FaceDetector : IDisposable
{
    // CascadeClassifier keeps per-call scratch state and is not safe for concurrent use,
    // so each concurrent request borrows its own instance; they are cheap once loaded.
    private readonly ConcurrentBag<CascadeClassifier> _pool = [];
    private readonly string _path;
    private readonly VisionOptions _options;

    public FaceDetector(IOptions<VisionOptions> options, ILogger<FaceDetector> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _path = ModelPaths.Resolve(_options.FaceCascadePath);
        if (!File.Exists(_path))
        {
            throw new FileNotFoundException($"Face cascade not found at '{_path}' (MoodBot:Vision:FaceCascadePath).", _path);
        }

        _pool.Add(Load());
        Log.DetectorLoaded(logger, _path);
    }

    /// <summary>Faces in <paramref name="grey"/>, largest first, at most MaxFaces.</summary>
    public Rect[] Detect(Mat grey)
    {
        ArgumentNullException.ThrowIfNull(grey);
        var longest = Math.Max(grey.Width, grey.Height);
        var scale = longest > _options.DetectionMaxSide ? (double)_options.DetectionMaxSide / longest : 1.0;
        using var work = new Mat();
        if (scale < 1.0)
        {
            Cv2.Resize(grey, work, new Size(0, 0), scale, scale, InterpolationFlags.Area);
        }
        else
        {
            grey.CopyTo(work);
        }

        // Histogram equalisation makes the cascade far less sensitive to exposure (dim indoor phone shots).
        Cv2.EqualizeHist(work, work);
        var min = Math.Min(_options.MinFaceSize, Math.Min(work.Width, work.Height));
        if (!_pool.TryTake(out var cascade))
        {
            cascade = Load();
        }

        Rect[] found;
        try
        {
            found = cascade.DetectMultiScale(work, 1.1, _options.MinNeighbors, HaarDetectionTypes.ScaleImage, new Size(min, min));
        }
        finally
        {
            _pool.Add(cascade);
        }

        var inv = 1.0 / scale;
        return found
            .OrderByDescending(r => r.Width * r.Height)
            .Take(_options.MaxFaces)
            .Select(r => new Rect((int)Math.Round(r.X * inv), (int)Math.Round(r.Y * inv), (int)Math.Round(r.Width * inv), (int)Math.Round(r.Height * inv)))
            .ToArray();
    }

    private CascadeClassifier Load()
    {
        var c = new CascadeClassifier(_path);
        if (c.Empty())
        {
            c.Dispose();
            throw new InvalidDataException($"'{_path}' is not a valid OpenCV cascade.");
        }

        return c;
    }

    public void Dispose()
    {
        while (_pool.TryTake(out var c))
        {
            c.Dispose();
        }
    }
}
