using MoodBot.Core;
using OpenCvSharp;

namespace MoodBot.Vision;

/// <summary>A decoded, upright photo (colour for the detector, grey for the classifier) and the factor between it and the original pixels.</summary>
public sealed class DecodedPhoto(Mat colour, Mat grey, ImageHeader header, int reduction) : IDisposable
{
    /// <summary>8-bit BGR, EXIF orientation applied; the same Mat as <see cref="Grey"/> when decoded grey only.</summary>
    public Mat Colour { get; } = colour;

    /// <summary>8-bit single-channel, EXIF orientation applied.</summary>
    public Mat Grey { get; } = grey;

    public ImageHeader Header { get; } = header;

    /// <summary>How many original pixels one decoded pixel spans (1, 2, 4 or 8).</summary>
    public int Reduction { get; } = reduction;

    /// <summary>Upright size of the original photo.</summary>
    public int OriginalWidth => Header.SwapsAxes ? Header.Height : Header.Width;

    public int OriginalHeight => Header.SwapsAxes ? Header.Width : Header.Height;

    public void Dispose()
    {
        Grey.Dispose();
        Colour.Dispose();
    }
}

/// <summary>
/// Decodes only as many pixels as detection needs: JPEGs are scaled inside the decoder (DCT scaling,
/// 1/2, 1/4 or 1/8), which is several times cheaper than a full decode and resize. The photo is decoded once, in colour
/// (the detector network was trained on colour: grey copies score a blurred building as a face, issue 15); the grey
/// image for the classifier is converted from it.
/// </summary>
public static class PhotoDecoder
{
    /// <param name="colour">False: decode grey only (face crops for <c>evaluate</c>; <see cref="DecodedPhoto.Colour"/> is then grey too).</param>
    public static DecodedPhoto Decode(ReadOnlyMemory<byte> bytes, ImageHeader header, int detectionMaxSide, bool colour = true)
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

        var mode = ImreadModes.IgnoreOrientation | (colour, reduction) switch
        {
            (false, 2) => ImreadModes.ReducedGrayscale2,
            (false, 4) => ImreadModes.ReducedGrayscale4,
            (false, 8) => ImreadModes.ReducedGrayscale8,
            (false, _) => ImreadModes.Grayscale,
            (true, 2) => ImreadModes.ReducedColor2,
            (true, 4) => ImreadModes.ReducedColor4,
            (true, 8) => ImreadModes.ReducedColor8,
            (true, _) => ImreadModes.Color,
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

        var want = colour ? MatType.CV_8UC3 : MatType.CV_8UC1;
        if (grey.Type() != want)
        {
            if (grey.Depth() != MatType.CV_8U)
            {
                // 16-bit PNGs: scale to 8 bits first, straight into the Mat that replaces it (no third full-size copy).
                grey = Replace(grey, (src, dst) =>
                    src.ConvertTo(dst, MatType.CV_8U, src.Depth() == MatType.CV_16U ? 1.0 / 257 : 1.0));
            }

            grey = Replace(grey, (src, dst) =>
            {
                switch (src.Channels(), colour)
                {
                    case (4, true): Cv2.CvtColor(src, dst, ColorConversionCodes.BGRA2BGR); break;
                    case (1, true): Cv2.CvtColor(src, dst, ColorConversionCodes.GRAY2BGR); break;
                    case (4, false): Cv2.CvtColor(src, dst, ColorConversionCodes.BGRA2GRAY); break;
                    case (3, false): Cv2.CvtColor(src, dst, ColorConversionCodes.BGR2GRAY); break;
                    default: src.CopyTo(dst); break;
                }
            });
        }

        var upright = ApplyOrientation(grey, header.Orientation);
        if (!colour)
        {
            return new DecodedPhoto(upright, upright, header, reduction);
        }

        var g = new Mat();
        try
        {
            Cv2.CvtColor(upright, g, ColorConversionCodes.BGR2GRAY);
        }
        catch
        {
            g.Dispose();
            upright.Dispose();
            throw;
        }

        return new DecodedPhoto(upright, g, header, reduction);
    }

    /// <summary>
    /// <paramref name="convert"/> from <paramref name="src"/> into a new Mat; <paramref name="src"/> is released either
    /// way, and so is the new Mat when the conversion throws (full-size pixels are never left to the finalizer).
    /// </summary>
    private static Mat Replace(Mat src, Action<Mat, Mat> convert)
    {
        var dst = new Mat();
        try
        {
            convert(src, dst);
            return dst;
        }
        catch
        {
            dst.Dispose();
            throw;
        }
        finally
        {
            src.Dispose();
        }
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
