using MoodBot.Core;
using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>A decoded, upright, grey photo and the factor between it and the original pixels.</summary>
public sealed class DecodedPhoto(Mat grey, ImageHeader header, int reduction) : IDisposable
{
    /// <summary>8-bit single-channel, EXIF orientation applied.</summary>
    public Mat Grey { get; } = grey;

    public ImageHeader Header { get; } = header;

    /// <summary>How many original pixels one decoded pixel spans (1, 2, 4 or 8).</summary>
    public int Reduction { get; } = reduction;

    /// <summary>Upright size of the original photo.</summary>
    public int OriginalWidth => Header.SwapsAxes ? Header.Height : Header.Width;

    public int OriginalHeight => Header.SwapsAxes ? Header.Width : Header.Height;

    public void Dispose() => Grey.Dispose();
}

/// <summary>
/// Decodes only as many pixels as detection needs: JPEGs are scaled inside the decoder (DCT scaling,
/// 1/2, 1/4 or 1/8), straight to grey, which is several times cheaper than a full decode and resize.
/// </summary>
public static class PhotoDecoder
{
    public static DecodedPhoto Decode(ReadOnlyMemory<byte> bytes, ImageHeader header, int detectionMaxSide)
    {
        var longest = Math.Max(header.Width, header.Height);
        var reduction = 1;
        if (header.Format == PhotoFormat.Jpeg)
        {
            // Largest power-of-two reduction that still leaves at least detectionMaxSide pixels on the long side.
            while (reduction < 8 && longest / (reduction * 2) >= detectionMaxSide)
            {
                reduction *= 2;
            }
        }

        var mode = ImreadModes.IgnoreOrientation | reduction switch
        {
            2 => ImreadModes.ReducedGrayscale2,
            4 => ImreadModes.ReducedGrayscale4,
            8 => ImreadModes.ReducedGrayscale8,
            _ => ImreadModes.Grayscale,
        };

        Mat grey;
        try
        {
            grey = Cv2.ImDecode(bytes.Span, mode);
        }
        catch (OpenCVException)
        {
            throw new UnsupportedImageException(ImageProblem.Corrupt, "The image data is damaged and could not be decoded.");
        }

        if (grey.Empty())
        {
            grey.Dispose();
            throw new UnsupportedImageException(ImageProblem.Corrupt,
                header.Format == PhotoFormat.Jpeg || header.Format == PhotoFormat.Png
                    ? "The image data is damaged or truncated and could not be decoded."
                    : $"This {header.Format} image could not be decoded; please send a JPEG or PNG.");
        }

        // Guard against a header that lies about the size: trust only what was decoded.
        var expectedW = (header.Width + reduction - 1) / reduction;
        var expectedH = (header.Height + reduction - 1) / reduction;
        if (Math.Abs(grey.Width - expectedW) > 1 || Math.Abs(grey.Height - expectedH) > 1)
        {
            grey.Dispose();
            throw new UnsupportedImageException(ImageProblem.Corrupt, "The image size does not match its header.");
        }

        if (grey.Type() != MatType.CV_8UC1)
        {
            var converted = new Mat();
            if (grey.Channels() > 1)
            {
                Cv2.CvtColor(grey, converted, grey.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
            }
            else
            {
                grey.ConvertTo(converted, MatType.CV_8UC1);
            }

            grey.Dispose();
            grey = converted;
        }

        return new DecodedPhoto(ApplyOrientation(grey, header.Orientation), header, reduction);
    }

    /// <summary>Applies an EXIF orientation (1–8) so that faces stand upright, as the photographer saw them.</summary>
    public static Mat ApplyOrientation(Mat src, int orientation)
    {
        ArgumentNullException.ThrowIfNull(src);
        if (orientation is <= 1 or > 8)
        {
            return src;
        }

        var dst = new Mat();
        switch (orientation)
        {
            case 2: Cv2.Flip(src, dst, FlipMode.Y); break;
            case 3: Cv2.Rotate(src, dst, RotateFlags.Rotate180); break;
            case 4: Cv2.Flip(src, dst, FlipMode.X); break;
            case 5: Cv2.Transpose(src, dst); break;
            case 6: Cv2.Rotate(src, dst, RotateFlags.Rotate90Clockwise); break;
            case 7:
                // Transverse: the anti-diagonal mirror, i.e. a clockwise quarter turn then a vertical flip.
                Cv2.Rotate(src, dst, RotateFlags.Rotate90Clockwise);
                Cv2.Flip(dst, dst, FlipMode.X);
                break;
            case 8: Cv2.Rotate(src, dst, RotateFlags.Rotate90Counterclockwise); break;
        }

        src.Dispose();
        return dst;
    }
}
