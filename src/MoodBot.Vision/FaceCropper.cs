using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>
/// The single place where a face becomes model input, used by both the bot and <c>moodbot evaluate</c>:
/// square crop around the box (plus margin), edge-replicated where it leaves the photo,
/// resized to the model's side, grey, scaled to 0..1 (the paper's scaling; the model normalises inside).
/// </summary>
public static class FaceCropper
{
    public static void WriteTensor(Mat grey, Rect box, double margin, int side, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(grey);
        if (destination.Length < side * side)
        {
            throw new ArgumentException("destination too small", nameof(destination));
        }

        // Square around the box centre: FER2013 crops are square, and a non-square crop would distort the face.
        var size = Math.Max(box.Width, box.Height) * (1 + 2 * margin);
        var cx = box.X + box.Width / 2.0;
        var cy = box.Y + box.Height / 2.0;
        var x0 = (int)Math.Round(cx - size / 2);
        var y0 = (int)Math.Round(cy - size / 2);
        var s = Math.Max(1, (int)Math.Round(size));

        using var crop = new Mat();
        var inside = new Rect(0, 0, grey.Width, grey.Height);
        var want = new Rect(x0, y0, s, s);
        var clipped = want.Intersect(inside);
        if (clipped == want)
        {
            using var roi = grey[want];
            Resize(roi, crop, side);
        }
        else
        {
            // Part of the square lies outside the photo (a face at the edge): replicate the border.
            using var padded = new Mat();
            if (clipped.Width <= 0 || clipped.Height <= 0)
            {
                clipped = new Rect(Math.Clamp(x0, 0, grey.Width - 1), Math.Clamp(y0, 0, grey.Height - 1), 1, 1);
            }

            using var roi = grey[clipped];
            Cv2.CopyMakeBorder(roi, padded,
                Math.Max(0, clipped.Y - y0), Math.Max(0, y0 + s - clipped.Bottom),
                Math.Max(0, clipped.X - x0), Math.Max(0, x0 + s - clipped.Right),
                BorderTypes.Replicate);
            Resize(padded, crop, side);
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
