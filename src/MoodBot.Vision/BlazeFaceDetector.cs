using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>
/// A face candidate in the detector's image: its box, the network's confidence, and the eye centres the network predicts
/// (<paramref name="RightEye"/> is the subject's right eye, on the image's left in a frontal face).
/// </summary>
public readonly record struct ScoredFace(Rect Box, float Score, Point2f RightEye, Point2f LeftEye);

/// <summary>
/// MediaPipe's BlazeFace "back camera" network (256×256 input, 896 SSD anchors) through ONNX Runtime. It costs a few
/// milliseconds per 256-px tile where a cascade scans a 1280-px pyramid for ~90 ms, and it sees faces a frontal cascade
/// misses (tilted, partly turned). One session for the process; <c>Run</c> is thread-safe.
/// </summary>
public sealed class BlazeFaceDetector : IDisposable
{
    private const int Side = 256;

    // MediaPipe's SSD anchor layout for this model: a 16×16 grid (stride 16) with 2 anchors per cell, then three
    // stride-32 layers merged into an 8×8 grid with 6 anchors per cell. All anchors have unit size, so only centres matter.
    private const int FineCells = 16;
    private const int FinePerCell = 2;
    private const int CoarseCells = 8;
    private const int CoarsePerCell = 6;
    private const int Values = 16; // box centre offset, size, then six key points

    private const float BoxScale = 1.13f;
    private const float BoxShiftUp = 0.115f;

    // Overlap above which two candidates are the same face (MediaPipe's own setting for this model).
    private const float SameFaceIou = 0.3f;

    // A box mostly inside a stronger one is part of the same face (a tile cut it), not a second face.
    private const float SameFaceContainment = 0.6f;

    // Neighbouring tiles share at least this fraction of a tile, so a face up to a fifth of a tile wide lies whole in one
    // of them wherever it sits (a face on a seam was cut in both when tiles merely touched: issue 15).
    public const double MinOverlap = 0.2;

    // Aspect ratio up to which level 1 is one letterboxed tile instead of two tiles overlapping by 80 % or more.
    internal const double MaxLetterbox = 1.2;

    // Face size (network box, pixels of the 256 input) under which the network's anchors disagree about where the face
    // is; such level-1 candidates give way to level 2 when it runs.
    private const int MinNetworkFace = 20;

    // Below this, half-size tiles would only upsample what level 1 already saw.
    private const int MinFineTile = 160;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _input;
    private readonly string[] _outputs; // fine scores, coarse scores, fine boxes, coarse boxes

    public BlazeFaceDetector(string path, int threads)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Face detection model not found at '{path}' (MoodBot:Vision:FaceModelPath).", path);
        }

        using var so = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // The converted model carries unused constants; ORT warns about each on every load.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(path, so);
        var input = _session.InputMetadata.Single();
        if (input.Value.Dimensions is not [1, Side, Side, 3])
        {
            throw new InvalidDataException($"'{path}' is not a BlazeFace 256 model: input [{string.Join(',', input.Value.Dimensions)}].");
        }

        _input = input.Key;

        // Outputs are told apart by shape, not by name, so a re-export with other names still loads.
        string Find(int anchors, int values) => _session.OutputMetadata
            .Where(o => o.Value.Dimensions is [1, var a, var v] && a == anchors && v == values)
            .Select(o => o.Key).SingleOrDefault()
            ?? throw new InvalidDataException($"'{path}' lacks an output of shape [1,{anchors},{values}].");
        _outputs =
        [
            Find(FineCells * FineCells * FinePerCell, 1), Find(CoarseCells * CoarseCells * CoarsePerCell, 1),
            Find(FineCells * FineCells * FinePerCell, Values), Find(CoarseCells * CoarseCells * CoarsePerCell, Values),
        ];
    }

    /// <summary>
    /// Faces in <paramref name="image"/> (BGR colour, as the network was trained; grey is accepted and fed to all three
    /// channels) scoring at least <paramref name="minScore"/>. Level 1 covers the image with square tiles as tall as its
    /// short side, overlapping by at least <see cref="MinOverlap"/> (a near-square photo is one letterboxed tile). The
    /// network needs a face to be ~20 px of its 256, so level 1 misses faces under ~8 % of the short side; when it finds
    /// none, or finds one narrower than <paramref name="fineTrigger"/> of the short side (a group shot), level 2 looks
    /// again with tiles of half that size. The candidates of both levels and all tiles are merged once.
    /// </summary>
    public List<ScoredFace> Detect(Mat image, float minScore, double fineTrigger)
    {
        ArgumentNullException.ThrowIfNull(image);
        var s = Math.Min(image.Width, image.Height);
        if (s < 16)
        {
            return [];
        }

        var buffer = ArrayPool<float>.Shared.Rent(Side * Side * 3);
        var pixels = ArrayPool<byte>.Shared.Rent(Side * Side * 3);
        try
        {
            using var small = new Mat(Side, Side, MatType.CV_8UC3);
            var found = new List<ScoredFace>();
            var l = Math.Max(image.Width, image.Height);

            // Up to 1.2:1 one letterboxed tile sees everything at ≥ 83 % of the short side's resolution, for one network run.
            var levelOne = (double)l / s <= MaxLetterbox ? l : s;
            Scan(image, levelOne, minScore, buffer, pixels, small, found);
            var fine = s / 2;
            var smallest = found.Count == 0 ? int.MaxValue : found.Min(f => f.Box.Width);
            if (fine >= MinFineTile && smallest < fineTrigger * s)
            {
                var more = new List<ScoredFace>();
                Scan(image, fine, minScore, buffer, pixels, small, more);

                // A face larger than half a fine tile was seen whole by level 1; in level 2 it is cut and misread.
                // A face under MinNetworkFace pixels of level 1's input was barely resolved there: its level-1 anchors
                // scatter (on crowd4-colour one landed 0.4 of a face up and right, IoU 0.29 with level 2's sharp box,
                // so the merge kept both: issue 15), and level 2 sees the same face at twice the resolution.
                var coarse = (double)MinNetworkFace * BoxScale * levelOne / Side;
                found.RemoveAll(f => f.Box.Width < coarse);
                found.AddRange(more.Where(f => f.Box.Width < fine / 2));
            }

            return Merge(found);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    private void Scan(Mat image, int side, float minScore, float[] buffer, byte[] pixels, Mat small, List<ScoredFace> found)
    {
        foreach (var x in Offsets(image.Width, side))
        {
            foreach (var y in Offsets(image.Height, side))
            {
                var tile = new Rect(x, y, side, side);
                Tile(image, tile, small);
                Fill(small, buffer, pixels);
                Run(buffer, tile, minScore, found);
            }
        }
    }

    /// <summary>The tile resized to 256×256 BGR; parts outside the image are black (MediaPipe's letterbox).</summary>
    private static void Tile(Mat image, Rect tile, Mat small)
    {
        var inside = tile.Intersect(new Rect(0, 0, image.Width, image.Height));
        var k = (double)Side / tile.Width;
        var flags = tile.Width > Side ? InterpolationFlags.Area : InterpolationFlags.Linear;
        using var roi = new Mat(image, inside);
        using var colour = image.Channels() == 3 ? null : new Mat();
        if (colour is not null)
        {
            Cv2.CvtColor(roi, colour, ColorConversionCodes.GRAY2BGR);
        }

        var src = colour ?? roi;
        if (inside == tile)
        {
            Cv2.Resize(src, small, new Size(Side, Side), 0, 0, flags);
            return;
        }

        small.SetTo(Scalar.All(0));
        var dst = new Rect((int)Math.Round((inside.X - tile.X) * k), (int)Math.Round((inside.Y - tile.Y) * k),
            Math.Max(1, (int)Math.Round(inside.Width * k)), Math.Max(1, (int)Math.Round(inside.Height * k)));
        dst = dst.Intersect(new Rect(0, 0, Side, Side));
        using var part = new Mat(small, dst);
        Cv2.Resize(src, part, dst.Size, 0, 0, flags);
    }

    /// <summary>
    /// Tile starts along one axis: evenly spread, neighbours overlapping by at least <see cref="MinOverlap"/> of a tile, the
    /// first at 0 and the last ending at <paramref name="length"/>. A tile longer than the axis is centred (letterbox).
    /// </summary>
    public static IEnumerable<int> Offsets(int length, int side)
    {
        if (side >= length)
        {
            yield return (length - side) / 2;
            yield break;
        }

        var n = (int)Math.Ceiling((length - side) / ((1 - MinOverlap) * side)) + 1;
        for (var i = 0; i < n; i++)
        {
            yield return (int)Math.Round((double)i * (length - side) / (n - 1));
        }
    }

    /// <summary>BGR pixels into the network's NHWC RGB input, scaled to -1..1 (MediaPipe's convention).</summary>
    private static void Fill(Mat small, float[] buffer, byte[] pixels)
    {
        // The resize output is continuous, so one copy brings it into managed memory.
        System.Runtime.InteropServices.Marshal.Copy(small.Data, pixels, 0, Side * Side * 3);
        for (var p = 0; p < Side * Side * 3; p += 3)
        {
            buffer[p] = (pixels[p + 2] / 127.5f) - 1f;
            buffer[p + 1] = (pixels[p + 1] / 127.5f) - 1f;
            buffer[p + 2] = (pixels[p] / 127.5f) - 1f;
        }
    }

    private void Run(float[] buffer, Rect tile, float minScore, List<ScoredFace> found)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, Side * Side * 3), [1, Side, Side, 3]);
        using var outputs = _session.Run(_runOptions, [_input], [input], _outputs);
        Decode(outputs[0].GetTensorDataAsSpan<float>(), outputs[2].GetTensorDataAsSpan<float>(), FineCells, FinePerCell, tile, minScore, found);
        Decode(outputs[1].GetTensorDataAsSpan<float>(), outputs[3].GetTensorDataAsSpan<float>(), CoarseCells, CoarsePerCell, tile, minScore, found);
    }

    private static void Decode(ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes, int cells, int perCell, Rect tile, float minScore,
        List<ScoredFace> found)
    {
        // Compare logits, not probabilities: one log per threshold instead of one exp per anchor.
        var minLogit = MathF.Log(minScore / (1 - minScore));
        var k = (float)tile.Width / Side;
        for (var a = 0; a < scores.Length; a++)
        {
            var logit = Math.Clamp(scores[a], -100f, 100f);
            if (logit < minLogit)
            {
                continue;
            }

            var cell = a / perCell;
            var ax = ((cell % cells) + 0.5f) * Side / cells;
            var ay = ((cell / cells) + 0.5f) * Side / cells;
            var b = boxes.Slice(a * Values, 8);
            var cx = ax + b[0];
            var cy = ay + b[1];

            // The network's box runs from brow to chin and sits lower than a cascade's (and a person's idea of a face box:
            // the hand-labelled boxes agree with the cascade). Moved to where the cascade puts it: on the 10 labelled faces
            // both found, the cascade's square is 1.13× larger and centred 0.115 of the size higher.
            var size = Math.Max(b[2], b[3]);
            if (size <= 1)
            {
                continue;
            }

            cy -= BoxShiftUp * size;
            size *= BoxScale;

            var box = new Rect(
                tile.X + (int)Math.Round((cx - (size / 2)) * k),
                tile.Y + (int)Math.Round((cy - (size / 2)) * k),
                (int)Math.Round(size * k),
                (int)Math.Round(size * k));

            // Key points 0 and 1 (after the box's four values) are the right and left eye, relative to the anchor centre.
            var right = new Point2f(tile.X + ((ax + b[4]) * k), tile.Y + ((ay + b[5]) * k));
            var left = new Point2f(tile.X + ((ax + b[6]) * k), tile.Y + ((ay + b[7]) * k));
            found.Add(new ScoredFace(box, 1f / (1f + MathF.Exp(-logit)), right, left));
        }
    }

    /// <summary>Weighted non-maximum suppression: overlapping candidates (also across tiles) become one score-weighted box.</summary>
    private static List<ScoredFace> Merge(List<ScoredFace> candidates)
    {
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        var used = new bool[candidates.Count];
        var merged = new List<ScoredFace>();
        for (var i = 0; i < candidates.Count; i++)
        {
            if (used[i])
            {
                continue;
            }

            var top = candidates[i];
            double x = 0, y = 0, size = 0, weight = 0, rx = 0, ry = 0, lx = 0, ly = 0;
            for (var j = i; j < candidates.Count; j++)
            {
                if (used[j])
                {
                    continue;
                }

                var (iou, containment) = Overlap(top.Box, candidates[j].Box);
                if (iou < SameFaceIou)
                {
                    if (containment >= SameFaceContainment)
                    {
                        used[j] = true; // a fragment of this face: dropped, not averaged in
                    }

                    continue;
                }

                used[j] = true;
                var c = candidates[j];
                x += c.Score * c.Box.X;
                y += c.Score * c.Box.Y;
                size += c.Score * c.Box.Width;
                rx += c.Score * c.RightEye.X;
                ry += c.Score * c.RightEye.Y;
                lx += c.Score * c.LeftEye.X;
                ly += c.Score * c.LeftEye.Y;
                weight += c.Score;
            }

            merged.Add(new ScoredFace(
                new Rect((int)Math.Round(x / weight), (int)Math.Round(y / weight), (int)Math.Round(size / weight), (int)Math.Round(size / weight)),
                top.Score,
                new Point2f((float)(rx / weight), (float)(ry / weight)),
                new Point2f((float)(lx / weight), (float)(ly / weight))));
        }

        return merged;
    }

    /// <summary>Intersection over union, and intersection over the smaller box.</summary>
    private static (float Iou, float Containment) Overlap(Rect a, Rect b)
    {
        var inter = a.Intersect(b);
        if (inter.Width <= 0 || inter.Height <= 0)
        {
            return (0, 0);
        }

        var i = (float)inter.Width * inter.Height;
        var areaA = (float)a.Width * a.Height;
        var areaB = (float)b.Width * b.Height;
        return (i / (areaA + areaB - i), i / Math.Min(areaA, areaB));
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
