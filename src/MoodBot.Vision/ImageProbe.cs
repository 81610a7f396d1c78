using MetadataExtractor;
using MetadataExtractor.Formats.Bmp;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.WebP;
using MetadataExtractor.Util;
using MoodBot.Core;

namespace MoodBot.Vision;

/// <summary>Image formats the pipeline decodes.</summary>
public enum PhotoFormat
{
    Jpeg,
    Png,
    Gif,
    WebP,
    Bmp,
}

/// <summary>What the header says, read without decoding a single pixel.</summary>
public readonly record struct ImageHeader(PhotoFormat Format, int Width, int Height, int Orientation)
{
    public long Pixels => (long)Width * Height;

    /// <summary>EXIF orientations 5–8 swap width and height once applied.</summary>
    public bool SwapsAxes => Orientation is >= 5 and <= 8;
}

/// <summary>
/// Reads format, dimensions and EXIF orientation from the header, so that oversized or hostile
/// input (a 30000×30000 PNG of a few KB) is refused before the decoder allocates anything.
/// </summary>
public static class ImageProbe
{
    public static ImageHeader Read(ReadOnlyMemory<byte> bytes, VisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (bytes.Length == 0)
        {
            throw new UnsupportedImageException(ImageProblem.Empty, "The file is empty.");
        }

        if (bytes.Length > options.MaxBytes)
        {
            throw new UnsupportedImageException(ImageProblem.TooLarge,
                $"The file is {bytes.Length / 1048576.0:0.#} MB; the limit is {options.MaxBytes / 1048576.0:0.#} MB.");
        }

        using var stream = AsStream(bytes);
        FileType type;
        try
        {
            type = FileTypeDetector.DetectFileType(stream);
        }
        catch (Exception e) when (e is IOException or ImageProcessingException)
        {
            throw new UnsupportedImageException(ImageProblem.Corrupt, "The file could not be read as an image.");
        }

        var format = type switch
        {
            FileType.Jpeg => PhotoFormat.Jpeg,
            FileType.Png => PhotoFormat.Png,
            FileType.Gif => PhotoFormat.Gif,
            FileType.WebP => PhotoFormat.WebP,
            FileType.Bmp => PhotoFormat.Bmp,
            FileType.Heif or FileType.QuickTime or FileType.Mp4 => throw new UnsupportedImageException(ImageProblem.UnsupportedFormat,
                "HEIC/HEIF photos are not supported; please send a JPEG, PNG or WebP (iPhone: Settings > Camera > Formats > Most Compatible)."),
            FileType.Unknown => throw new UnsupportedImageException(ImageProblem.UnsupportedFormat,
                "This is not an image format I can read; please send a JPEG, PNG, WebP or GIF."),
            _ => throw new UnsupportedImageException(ImageProblem.UnsupportedFormat,
                $"{type} files are not supported; please send a JPEG, PNG, WebP or GIF."),
        };

        if (!ChunksFit(bytes.Span, format))
        {
            throw new UnsupportedImageException(ImageProblem.Corrupt, "The image data is damaged or truncated.");
        }

        IReadOnlyList<MetadataExtractor.Directory> dirs;
        try
        {
            stream.Position = 0;
            dirs = ImageMetadataReader.ReadMetadata(stream);
        }
        catch (Exception e) when (e is IOException or ImageProcessingException or MetadataException or ArgumentException
                                      or IndexOutOfRangeException or OverflowException or InvalidOperationException or NotSupportedException)
        {
            throw new UnsupportedImageException(ImageProblem.Corrupt, "The image header is damaged.");
        }

        var (width, height) = format switch
        {
            PhotoFormat.Jpeg => Dimensions<JpegDirectory>(dirs, JpegDirectory.TagImageWidth, JpegDirectory.TagImageHeight),
            PhotoFormat.Png => Dimensions<PngDirectory>(dirs, PngDirectory.TagImageWidth, PngDirectory.TagImageHeight),
            PhotoFormat.Gif => Dimensions<GifHeaderDirectory>(dirs, GifHeaderDirectory.TagImageWidth, GifHeaderDirectory.TagImageHeight),
            PhotoFormat.WebP => Dimensions<WebPDirectory>(dirs, WebPDirectory.TagImageWidth, WebPDirectory.TagImageHeight),
            PhotoFormat.Bmp => Dimensions<BmpHeaderDirectory>(dirs, BmpHeaderDirectory.TagImageWidth, BmpHeaderDirectory.TagImageHeight),
            _ => (0, 0),
        };
        height = height == int.MinValue ? 0 : Math.Abs(height); // bottom-up BMPs store a negative height; MinValue has no positive twin
        if (width <= 0 || height <= 0)
        {
            throw new UnsupportedImageException(ImageProblem.Corrupt, "The image header has no valid size.");
        }

        if ((long)width * height > options.MaxPixels)
        {
            throw new UnsupportedImageException(ImageProblem.TooManyPixels,
                $"The image is {width}×{height} pixels; the limit is {options.MaxPixels / 1e6:0.#} megapixels.");
        }

        var orientation = 1;
        var exif = dirs.OfType<ExifIfd0Directory>().FirstOrDefault();
        if (exif is not null && exif.TryGetInt32(ExifDirectoryBase.TagOrientation, out var o) && o is >= 1 and <= 8)
        {
            orientation = o;
        }

        return new ImageHeader(format, width, height, orientation);
    }

    /// <summary>
    /// MetadataExtractor allocates each PNG/WebP chunk's declared length before reading it, so a 50-byte file declaring a
    /// 2 GB chunk costs a 2 GB array (or an OutOfMemoryException). Every chunk must lie inside the file.
    /// </summary>
    private static bool ChunksFit(ReadOnlySpan<byte> b, PhotoFormat format)
    {
        if (format == PhotoFormat.Png)
        {
            // 8-byte signature, then chunks of length (4, big-endian) + type (4) + data + CRC (4).
            for (long at = 8; at + 8 <= b.Length;)
            {
                long length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b[(int)at..]);
                if (at + 12 + length > b.Length)
                {
                    return false;
                }

                if (b.Slice((int)at + 4, 4).SequenceEqual("IEND"u8))
                {
                    break;
                }

                at += 12 + length;
            }
        }
        else if (format == PhotoFormat.WebP)
        {
            // "RIFF" size "WEBP", then chunks of fourcc (4) + size (4, little-endian) + data, padded to even.
            for (long at = 12; at + 8 <= b.Length;)
            {
                long length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(b[((int)at + 4)..]);
                if (at + 8 + length > b.Length)
                {
                    return false;
                }

                at += 8 + length + (length & 1);
            }
        }

        return true;
    }

    private static (int Width, int Height) Dimensions<T>(IReadOnlyList<MetadataExtractor.Directory> dirs, int widthTag, int heightTag)
        where T : MetadataExtractor.Directory
    {
        var d = dirs.OfType<T>().FirstOrDefault();
        return d is not null && d.TryGetInt32(widthTag, out var w) && d.TryGetInt32(heightTag, out var h) ? (w, h) : (0, 0);
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var seg)
            ? new MemoryStream(seg.Array!, seg.Offset, seg.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
