using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>How a detected face becomes a crop like the training crops (measured on FER2013: models/README.md, "Framing").</summary>
/// <param name="Margin">Added on each side, as a fraction of the detector's box.</param>
/// <param name="ShiftDown">Crop centre below the box centre, as a fraction of the box (along the upright face).</param>
/// <param name="Align">Rotate the face upright so that its eyes are level.</param>
/// <param name="Equalize">Histogram-equalise the 48×48 crop, as FER2013's copies are.</param>
public readonly record struct CropFraming(double Margin, double ShiftDown, bool Align, bool Equalize)
{
    public static CropFraming From(VisionOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.FaceMargin, o.FaceShiftDown, o.AlignFaces, o.EqualizeCrops);
    }
}

/// <summary>
/// The single place where a face becomes model input, used by both the bot and <c>moodbot evaluate</c>:
/// a square around the box (framing as measured on FER2013), turned upright by the eye line, edge-replicated where it
/// leaves the photo, resized to the model's side, optionally equalised, scaled to 0..1 (the model normalises inside).
/// </summary>
public static class FaceCropper
{
    // Beyond this the eye line is more likely a misread (a profile face) than a tilted head: rotate no further.
    private const double MaxTiltDegrees = 45;

    /// <summary>A detected face in <paramref name="grey"/>.</summary>
    public static void WriteTensor(Mat grey, ScoredFace face, CropFraming framing, int side, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(grey);
        var box = face.Box;
        var b = Math.Max(box.Width, box.Height);
        var angle = 0.0;
        if (framing.Align)
        {
            var dx = face.LeftEye.X - face.RightEye.X;
            var dy = face.LeftEye.Y - face.RightEye.Y;
            if ((dx * dx) + (dy * dy) >= 4)
            {
                angle = Math.Clamp(Math.Atan2(dy, dx) * 180 / Math.PI, -MaxTiltDegrees, MaxTiltDegrees);
            }
        }

        // The shift runs down the upright face, i.e. along the rotated vertical.
        var rad = angle * Math.PI / 180;
        var cx = box.X + (box.Width / 2.0) - (Math.Sin(rad) * framing.ShiftDown * b);
        var cy = box.Y + (box.Height / 2.0) + (Math.Cos(rad) * framing.ShiftDown * b);
        Write(grey, cx, cy, b * (1 + (2 * framing.Margin)), angle, framing.Equalize, side, destination);
    }

    /// <summary>An image that already is a face crop (FER-style folders): used whole, unrotated.</summary>
    public static void WriteCrop(Mat grey, CropFraming framing, int side, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(grey);
        var s = Math.Max(grey.Width, grey.Height);
        Write(grey, grey.Width / 2.0, grey.Height / 2.0, s, 0, framing.Equalize, side, destination);
    }

    private static void Write(Mat grey, double cx, double cy, double size, double angle, bool equalize, int side, Span<float> destination)
    {
        if (destination.Length < side * side)
        {
            throw new ArgumentException("destination too small", nameof(destination));
        }

        // The axis-aligned square that holds the crop at any rotation, cut out (edges replicated) first, so that the
        // rotation works on a few thousand pixels, not on the photo.
        var rad = Math.Abs(angle) * Math.PI / 180;
        var reach = size * (Math.Cos(rad) + Math.Sin(rad));
        using var region = Region(grey, cx, cy, reach);

        // Shrink big faces before rotating: warpAffine interpolates bilinearly and would alias a 400-px face down to 48.
        var q = Math.Min(1.0, 2.0 * side / size);
        using var shrunk = new Mat();
        var src = region;
        if (q < 1)
        {
            var n = Math.Max(1, (int)Math.Round(region.Width * q));
            Cv2.Resize(region, shrunk, new Size(n, n), 0, 0, InterpolationFlags.Area);
            q = (double)n / region.Width;
            src = shrunk;
        }

        var patch = Math.Max(1, (int)Math.Round(size * q));
        using var upright = new Mat();
        if (angle != 0 || src.Width != patch)
        {
            var c = new Point2f(src.Width / 2f, src.Height / 2f);
            using var m = Cv2.GetRotationMatrix2D(c, angle, 1.0);
            // Centre the output patch on the region's centre.
            m.Set(0, 2, m.At<double>(0, 2) + ((patch - src.Width) / 2.0));
            m.Set(1, 2, m.At<double>(1, 2) + ((patch - src.Height) / 2.0));
            Cv2.WarpAffine(src, upright, m, new Size(patch, patch), InterpolationFlags.Linear, BorderTypes.Replicate);
        }
        else
        {
            src.CopyTo(upright);
        }

        using var crop = new Mat();
        Resize(upright, crop, side);
        if (equalize)
        {
            Cv2.EqualizeHist(crop, crop);
        }

        var k = 0;
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                destination[k++] = crop.At<byte>(y, x) / 255f;
            }
        }
    }

    /// <summary>A square of side <paramref name="reach"/> around (cx, cy), edge-replicated where it leaves the photo.</summary>
    private static Mat Region(Mat grey, double cx, double cy, double reach)
    {
        var s = Math.Max(1, (int)Math.Round(reach));
        var x0 = (int)Math.Round(cx - (s / 2.0));
        var y0 = (int)Math.Round(cy - (s / 2.0));
        var inside = new Rect(0, 0, grey.Width, grey.Height);
        var want = new Rect(x0, y0, s, s);
        var clipped = want.Intersect(inside);
        if (clipped == want)
        {
            // The ROI header shares (and reference-counts) the whole photo's pixels: left to the finalizer it kept every
            // analysed photo's grey copy alive until the next GC, +49 MB per 49-MP photo under a crowd (issue 16).
            using var view = grey[want];
            return view.Clone();
        }

        if (clipped.Width <= 0 || clipped.Height <= 0)
        {
            clipped = new Rect(Math.Clamp(x0, 0, grey.Width - 1), Math.Clamp(y0, 0, grey.Height - 1), 1, 1);
        }

        using var roi = grey[clipped];
        var padded = new Mat();
        Cv2.CopyMakeBorder(roi, padded,
            Math.Max(0, clipped.Y - y0), Math.Max(0, y0 + s - clipped.Bottom),
            Math.Max(0, clipped.X - x0), Math.Max(0, x0 + s - clipped.Right),
            BorderTypes.Replicate);
        return padded;
    }

    private static void Resize(Mat src, Mat dst, int side)
    {
        if (src.Width == side && src.Height == side)
        {
            src.CopyTo(dst);
            return;
        }

        // Area averaging when shrinking matches how FER2013's 48×48 faces were produced; linear when enlarging.
        var flags = src.Width > side ? InterpolationFlags.Area : InterpolationFlags.Linear;
        Cv2.Resize(src, dst, new Size(side, side), 0, 0, flags);
    }
}
