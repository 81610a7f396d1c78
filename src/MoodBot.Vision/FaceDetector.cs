using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>
/// Finds faces in a photo (BGR colour or grey): with the BlazeFace network when <see cref="VisionOptions.FaceModelPath"/> is set (the
/// default), else with an OpenCV cascade whose candidates an optional second cascade verifies.
/// </summary>
public sealed class FaceDetector : IDisposable
{
    // CascadeClassifier keeps per-call scratch state and is not safe for concurrent use,
    // so each concurrent request borrows its own instance; they are cheap once loaded.
    private readonly ConcurrentBag<CascadeClassifier> _pool = [];
    private readonly ConcurrentBag<CascadeClassifier> _verifiers = [];
    private readonly string _path;
    private readonly string? _verifierPath;
    private readonly VisionOptions _options;
    private readonly BlazeFaceDetector? _network;

    public FaceDetector(IOptions<VisionOptions> options, ILogger<FaceDetector> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        var network = !string.IsNullOrWhiteSpace(_options.FaceModelPath);
        _path = ModelPaths.Resolve(network ? _options.FaceModelPath! : _options.FaceCascadePath);
        if (network)
        {
            _network = new BlazeFaceDetector(_path, _options.InferenceThreads);
        }
        else if (!File.Exists(_path))
        {
            throw new FileNotFoundException($"Face cascade not found at '{_path}' (MoodBot:Vision:FaceCascadePath).", _path);
        }
        else
        {
            _pool.Add(Load(_path));
        }

        // The network needs no verifier: measured on the labelled photos it has no false faces, and the frontal
        // verifier only rejected real, slightly turned faces (models/README.md).
        if (_network is null && !string.IsNullOrWhiteSpace(_options.VerifierCascadePath))
        {
            _verifierPath = ModelPaths.Resolve(_options.VerifierCascadePath);
            if (!File.Exists(_verifierPath))
            {
                throw new FileNotFoundException($"Verifier cascade not found at '{_verifierPath}' (MoodBot:Vision:VerifierCascadePath).", _verifierPath);
            }

            _verifiers.Add(Load(_verifierPath));
        }

        Log.DetectorLoaded(logger, _path);
    }

    /// <summary>
    /// Faces in <paramref name="image"/> (BGR colour, or grey), largest first, at most MaxFaces, with the detector's
    /// confidence (1 for the cascades) and eye centres (the box's upper third for the cascades, which have none).
    /// </summary>
    public ScoredFace[] Detect(Mat image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var longest = Math.Max(image.Width, image.Height);
        var scale = longest > _options.DetectionMaxSide ? (double)_options.DetectionMaxSide / longest : 1.0;
        using var work = new Mat();
        if (scale < 1.0)
        {
            // Explicit size of at least 1 px a side: OpenCV rounds a 9000×3 strip's short side to 0 and throws (docs/fuzzing.md).
            var size = new Size(Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
            Cv2.Resize(image, work, size, 0, 0, InterpolationFlags.Area);
        }
        else
        {
            image.CopyTo(work);
        }

        var min = Math.Min(_options.MinFaceSize, Math.Min(work.Width, work.Height));
        ScoredFace[] found;
        if (_network is not null)
        {
            // The network was trained on natural colour images: it sees the photo before any equalisation, in colour.
            found = _network.Detect(work, (float)_options.FaceScoreThreshold, _options.FaceFineTrigger)
                .Where(f => f.Box.Width >= min)
                .ToArray();
        }
        else
        {
            using var grey = new Mat();
            if (work.Channels() == 3)
            {
                Cv2.CvtColor(work, grey, ColorConversionCodes.BGR2GRAY);
            }
            else
            {
                work.CopyTo(grey);
            }

            // Histogram equalisation makes the cascade far less sensitive to exposure (dim indoor phone shots).
            Cv2.EqualizeHist(grey, grey);
            if (!_pool.TryTake(out var cascade))
            {
                cascade = Load(_path);
            }

            Rect[] boxes;
            try
            {
                boxes = cascade.DetectMultiScale(grey, _options.ScaleFactor, _options.MinNeighbors, HaarDetectionTypes.ScaleImage, new Size(min, min));
            }
            finally
            {
                _pool.Add(cascade);
            }

            if (_verifierPath is not null && boxes.Length > 0)
            {
                boxes = Verify(grey, boxes);
            }

            // Cascades give no eyes; level eyes at a third of the box keep the crop unrotated.
            found = boxes.Select(b => new ScoredFace(b, 1f, new Point2f(b.X + (b.Width * 0.3f), b.Y + (b.Height * 0.4f)),
                new Point2f(b.X + (b.Width * 0.7f), b.Y + (b.Height * 0.4f)))).ToArray();
        }

        var inv = 1.0 / scale;
        Point2f Up(Point2f p) => new((float)(p.X * inv), (float)(p.Y * inv));
        return found
            .OrderByDescending(f => f.Box.Width * f.Box.Height)
            .Take(_options.MaxFaces)
            .Select(f => new ScoredFace(
                new Rect((int)Math.Round(f.Box.X * inv), (int)Math.Round(f.Box.Y * inv), (int)Math.Round(f.Box.Width * inv), (int)Math.Round(f.Box.Height * inv)),
                f.Score, Up(f.RightEye), Up(f.LeftEye)))
            .ToArray();
    }

    /// <summary>Keeps the candidates around which the verifier cascade also finds a face of similar size.</summary>
    private Rect[] Verify(Mat work, Rect[] candidates)
    {
        if (!_verifiers.TryTake(out var verifier))
        {
            verifier = Load(_verifierPath!);
        }

        try
        {
            var kept = new List<Rect>(candidates.Length);
            var bounds = new Rect(0, 0, work.Width, work.Height);
            foreach (var c in candidates)
            {
                var pad = c.Width / 3;
                var region = new Rect(c.X - pad, c.Y - pad, c.Width + (2 * pad), c.Height + (2 * pad)).Intersect(bounds);
                using var roi = new Mat(work, region);
                // Normalise the candidate to ~80 px so verification costs the same for every face size.
                var k = 80.0 / c.Width;
                using var small = new Mat();
                Cv2.Resize(roi, small, new Size(0, 0), k, k, k < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
                var min = (int)(0.6 * 80);
                var hits = verifier.DetectMultiScale(small, 1.1, _options.VerifierMinNeighbors, HaarDetectionTypes.ScaleImage, new Size(min, min), new Size(130, 130));
                if (hits.Length > 0)
                {
                    kept.Add(c);
                }
            }

            return [.. kept];
        }
        finally
        {
            _verifiers.Add(verifier);
        }
    }

    private static CascadeClassifier Load(string path)
    {
        var c = new CascadeClassifier(path);
        if (c.Empty())
        {
            c.Dispose();
            throw new InvalidDataException($"'{path}' is not a valid OpenCV cascade.");
        }

        return c;
    }

    public void Dispose()
    {
        _network?.Dispose();
        while (_pool.TryTake(out var c))
        {
            c.Dispose();
        }

        while (_verifiers.TryTake(out var v))
        {
            v.Dispose();
        }
    }
}
