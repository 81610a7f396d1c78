using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MoodBot.Core;
using MoodBot.Vision;
using OpenCvSharp;

namespace MoodBot.Fuzz;

/// <summary>
/// What a member's attachment bytes go through: <see cref="IPhotoAnalyzer"/> (probe → decode → detect → crop → classify),
/// resolved from the same DI registration as the bot. The only documented refusal is <see cref="UnsupportedImageException"/>.
/// </summary>
public sealed class ImageTarget : IFuzzTarget
{
    private static readonly int[] Sizes = [0, 1, 2, 255, 256, 4096, 8192, 16383, 16384, 65500, 65535, 100000, 0x7FFF_FFFF, -1, int.MinValue];

    private static readonly byte[][] Magics = [[0xFF, 0xD8, 0xFF, 0xE0], [0x89, .. "PNG\r\n\u001a\n"u8], [.. "GIF89a"u8], [.. "BM"u8], [.. "RIFF\0\0\0\0WEBPVP8 "u8]];

    private static readonly byte[] IhdrValues = [0, 1, 2, 3, 4, 6, 7, 8, 16, 255];

    private static readonly byte[] JpegMarkers = [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC9, 0xCA, 0xCC, 0xDB, 0xC4, 0xDD, 0xEE, 0xFE, 0xD9];

    private static readonly byte[] FrameValues = [0, 1, 2, 3, 4, 0x11, 0x22, 0x44, 0x41, 0xFF];

    private readonly IHost _host;
    private readonly IPhotoAnalyzer _analyzer;
    private List<byte[]>? _seeds;

    public ImageTarget()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.AddVision();
        _host = builder.Build();
        _analyzer = _host.Services.GetRequiredService<IPhotoAnalyzer>();
    }

    public string Name => "image";

    public string Run(byte[] input)
    {
        PhotoAnalysis analysis;
        try
        {
            analysis = _analyzer.AnalyzeAsync(input, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (UnsupportedImageException e)
        {
            // The message goes to the member verbatim: it must be one readable line.
            if (string.IsNullOrWhiteSpace(e.Message) || e.Message.Contains('\n', StringComparison.Ordinal))
            {
                throw new FuzzInvariantException($"refusal message not one line: '{e.Message}'", e);
            }

            // Format family + problem + the message's wording (numbers removed): a cheap stand-in for coverage.
            return $"{Family(input)}|refused:{e.Problem}:{FuzzRunner.MessageKey(e.Message)}";
        }

        Check(analysis);
        return $"{Family(input)}|ok:faces={Math.Min(analysis.Faces.Count, 3)}";
    }

    private static string Family(byte[] b) => b switch
    {
        [] => "empty",
        [0xFF, 0xD8, ..] => "jpeg",
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "png",
        [(byte)'G', (byte)'I', (byte)'F', ..] => "gif",
        [(byte)'B', (byte)'M', ..] => "bmp",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', ..] => "riff",
        _ => "other",
    };

    // Generated once: the bombs take a second to compress.
    public IReadOnlyList<byte[]> Seeds() => _seeds ??= CreateSeeds();

    private static List<byte[]> CreateSeeds()
    {
        var seeds = new List<byte[]>();
        foreach (var (w, h) in new[] { (1, 1), (3, 2), (17, 13), (64, 48), (48, 64), (160, 120) })
        {
            using var colour = Scene(w, h);
            using var grey = new Mat();
            Cv2.CvtColor(colour, grey, ColorConversionCodes.BGR2GRAY);
            seeds.Add(Encode(colour, ".jpg", (int)ImwriteFlags.JpegQuality, 90));
            seeds.Add(Encode(grey, ".jpg", (int)ImwriteFlags.JpegQuality, 20));
            seeds.Add(Encode(colour, ".png"));
            seeds.Add(Encode(colour, ".bmp"));
            seeds.Add(Encode(grey, ".bmp"));
            if (w >= 16)
            {
                seeds.Add(Encode(colour, ".jpg", (int)ImwriteFlags.JpegProgressive, 1, (int)ImwriteFlags.JpegOptimize, 1));
                // IMWRITE_JPEG_SAMPLING_FACTOR (7): 4:1:1 chroma, a layout phones rarely write.
                seeds.Add(Encode(colour, ".jpg", 7, 0x411111));
                seeds.Add(Encode(colour, ".jpg", (int)ImwriteFlags.JpegRstInterval, 1));
                TryAdd(seeds, colour, ".webp", (int)ImwriteFlags.WebPQuality, 80);
                TryAdd(seeds, colour, ".webp", (int)ImwriteFlags.WebPQuality, 101); // lossless
                using var rgba = new Mat();
                Cv2.CvtColor(colour, rgba, ColorConversionCodes.BGR2BGRA);
                seeds.Add(Encode(rgba, ".png"));
                TryAdd(seeds, rgba, ".webp", (int)ImwriteFlags.WebPQuality, 101);
                using var deep = new Mat();
                colour.ConvertTo(deep, MatType.CV_16UC3, 257);
                seeds.Add(Encode(deep, ".png"));
                using var deepGrey = new Mat();
                grey.ConvertTo(deepGrey, MatType.CV_16UC1, 257);
                seeds.Add(Encode(deepGrey, ".png"));
                // Formats the bot must refuse cleanly rather than half-decode.
                TryAdd(seeds, colour, ".tiff");
                TryAdd(seeds, colour, ".ppm");
            }

            Func<int, int, byte> fill = (x, y) => (byte)((x * 7) ^ (y * 13));
            foreach (var (type, depth) in new (byte, byte)[] { (0, 1), (0, 2), (0, 4), (0, 16), (3, 1), (3, 4), (3, 8), (4, 8), (4, 16), (6, 16), (2, 16) })
            {
                seeds.Add(ImageFormats.Png(w, h, type, depth, interlace: false, fill));
            }

            seeds.Add(ImageFormats.Png(w, h, 2, 8, interlace: true, fill));
            seeds.Add(ImageFormats.Png(w, h, 0, 8, interlace: true, fill));
            seeds.Add(ImageFormats.Gif(w, h, [200]));
            seeds.Add(ImageFormats.Gif(w, h, [220, 30, 128]));
            seeds.Add(ImageFormats.Gif(w, h, [90], interlaced: true));
        }

        // EXIF: every orientation, invalid ones, both byte orders, IFD loops and offsets past the end.
        using (var m = Scene(40, 30))
        {
            var jpeg = Encode(m, ".jpg", (int)ImwriteFlags.JpegQuality, 80);
            for (var o = 0; o <= 9; o++)
            {
                seeds.Add(ImageFormats.InsertAfterSoi(jpeg, ImageFormats.ExifSegment(o, bigEndian: o % 2 == 0, ifdLoop: false, 0, 0)));
            }

            seeds.Add(ImageFormats.InsertAfterSoi(jpeg, ImageFormats.ExifSegment(6, bigEndian: false, ifdLoop: true, 0, 0)));
            seeds.Add(ImageFormats.InsertAfterSoi(jpeg, ImageFormats.ExifSegment(8, bigEndian: true, ifdLoop: true, 40, 0xFFFFFFF0)));
            seeds.Add(ImageFormats.InsertAfterSoi(jpeg, ImageFormats.ExifSegment(65535, bigEndian: false, ifdLoop: false, 3000, 8)));
        }

        // Decompression bombs inside the pixel limit (49 Mpx of nothing, a few hundred KB) and one just outside it.
        seeds.Add(ImageFormats.Png(7000, 7000, 0, 8, interlace: false, (_, _) => 0, CompressionLevel.SmallestSize));
        seeds.Add(ImageFormats.Png(7072, 7072, 0, 1, interlace: false, (_, _) => 0, CompressionLevel.SmallestSize));
        using (var big = new Mat(3024, 4032, MatType.CV_8UC1, Scalar.All(128)))
        {
            seeds.Add(Encode(big, ".jpg", (int)ImwriteFlags.JpegQuality, 5, (int)ImwriteFlags.JpegProgressive, 1));
        }

        // Headers of formats we do not decode, and nothing at all.
        seeds.Add([0, 0, 0, 24, .. "ftypheic"u8, 0, 0, 0, 0, .. "mif1heic"u8, .. new byte[40]]);
        seeds.Add("%PDF-1.7\n"u8.ToArray());
        seeds.Add([]);
        return seeds;
    }

    public byte[] Mutate(byte[] parent, IReadOnlyList<byte[]> pool, Random rng)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(rng);
        switch (rng.Next(20))
        {
            case 0:
                return ByteMutations.RandomBytes(rng, rng.Next(2048));
            case 1:
            {
                // A real magic number followed by noise: gets past format detection into the header readers.
                return [.. Magics[rng.Next(Magics.Length)], .. ByteMutations.RandomBytes(rng, rng.Next(512))];
            }

            case 2:
            case 3:
            {
                var w = rng.Next(3) == 0 ? rng.Next(1, 9000) : Sizes[rng.Next(Sizes.Length)];
                var h = rng.Next(3) == 0 ? rng.Next(1, 9000) : Sizes[rng.Next(Sizes.Length)];
                return ImageFormats.WithDimensions(parent, w, h);
            }

            case 4:
                return PngChunkMutation(parent, rng);
            case 5:
                return JpegSegmentMutation(parent, pool, rng);
            case 6:
                return ImageFormats.BmpField(parent, rng);
            default:
            {
                var child = ByteMutations.Apply(parent, pool, rng);
                if (rng.Next(2) == 0 && child.Length > 8 && child[0] == 0x89)
                {
                    // Half the time, repair CRCs so libpng parses the damaged chunk instead of rejecting its checksum.
                    ImageFormats.FixPngCrcs(child);
                }

                return child;
            }
        }
    }

    public void Dispose() => _host.Dispose();

    private static void Check(PhotoAnalysis a)
    {
        if (a.Width <= 0 || a.Height <= 0)
        {
            throw new FuzzInvariantException($"accepted a {a.Width}×{a.Height} photo");
        }

        foreach (var f in a.Faces)
        {
            var b = f.Box;
            if (b.X < 0 || b.Y < 0 || b.Width < 0 || b.Height < 0 || b.X + b.Width > a.Width || b.Y + b.Height > a.Height)
            {
                throw new FuzzInvariantException($"face box {b} outside the {a.Width}×{a.Height} photo");
            }

            var sum = 0f;
            foreach (var p in f.Probabilities.AsSpan())
            {
                if (!float.IsFinite(p) || p < 0)
                {
                    throw new FuzzInvariantException("non-finite or negative emotion probability");
                }

                sum += p;
            }

            if (Math.Abs(sum - 1) > 1e-3)
            {
                throw new FuzzInvariantException($"emotion probabilities sum to {sum}");
            }
        }
    }

    private static byte[] PngChunkMutation(byte[] png, Random rng)
    {
        var chunks = ImageFormats.PngChunks(png);
        if (chunks.Count == 0)
        {
            return ByteMutations.Once(png, [png], rng);
        }

        var d = (byte[])png.Clone();
        var (offset, length, _) = chunks[rng.Next(chunks.Count)];
        switch (rng.Next(5))
        {
            case 0 when length > 0:
                // Damage the chunk's data but keep its CRC right.
                for (int k = 0, n = 1 + rng.Next(4); k < n; k++)
                {
                    d[offset + 8 + rng.Next(length)] = (byte)rng.Next(256);
                }

                break;
            case 1:
                // Drop a chunk (no IHDR, no IDAT, no IEND...).
                return [.. d[..offset], .. d[(offset + 12 + length)..]];
            case 2:
                // Repeat a chunk (two IHDRs, two PLTEs).
                return [.. d[..(offset + 12 + length)], .. d.AsSpan(offset, 12 + length), .. d[(offset + 12 + length)..]];
            case 3:
                // Claim a huge length.
                BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(offset), ByteMutations.InterestingWord(rng));
                return d;
            default:
                if (d.Length > 28 && d[12] == 'I')
                {
                    // IHDR depth / colour type / compression / filter / interlace fields.
                    d[24 + rng.Next(5)] = IhdrValues[rng.Next(IhdrValues.Length)];
                }

                break;
        }

        ImageFormats.FixPngCrcs(d);
        return d;
    }

    private static byte[] JpegSegmentMutation(byte[] jpeg, IReadOnlyList<byte[]> pool, Random rng)
    {
        var segments = ImageFormats.JpegSegments(jpeg);
        if (segments.Count == 0)
        {
            return ByteMutations.Once(jpeg, pool, rng);
        }

        var (offset, marker, length) = segments[rng.Next(segments.Count)];
        var end = Math.Min(jpeg.Length, offset + length);
        switch (rng.Next(5))
        {
            case 0:
                return [.. jpeg[..offset], .. jpeg[end..]];
            case 1:
                return [.. jpeg[..end], .. jpeg.AsSpan(offset, end - offset), .. jpeg[end..]];
            case 2:
                return ImageFormats.InsertAfterSoi(jpeg, ImageFormats.ExifSegment(rng.Next(10), rng.Next(2) == 0, rng.Next(2) == 0,
                    rng.Next(50), ByteMutations.InterestingWord(rng)));
            case 3:
            {
                // Retag a segment: SOF0 → SOF2 (progressive) / SOF3 (lossless) / SOF9 (arithmetic), DHT → DAC, ...
                var d = (byte[])jpeg.Clone();
                d[offset + 1] = JpegMarkers[rng.Next(JpegMarkers.Length)];
                return d;
            }

            default:
            {
                // Component count / sampling factors / table ids in the frame header.
                var d = (byte[])jpeg.Clone();
                if (marker is >= 0xC0 and <= 0xC3 && offset + 10 < d.Length)
                {
                    var at = offset + 9 + rng.Next(Math.Max(1, Math.Min(length - 9, d.Length - offset - 9)));
                    d[at] = FrameValues[rng.Next(FrameValues.Length)];
                }

                return d;
            }
        }
    }

    private static Mat Scene(int w, int h)
    {
        // A gradient with a few shapes: enough structure for every encoder path (DCT blocks, PNG filters, palettes).
        var m = new Mat(h, w, MatType.CV_8UC3);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                m.Set(y, x, new Vec3b((byte)(x * 255 / Math.Max(1, w)), (byte)(y * 255 / Math.Max(1, h)), (byte)((x + y) * 3)));
            }
        }

        Cv2.Circle(m, new Point(w / 2, h / 2), Math.Max(1, Math.Min(w, h) / 3), new Scalar(220, 200, 180), -1);
        Cv2.Rectangle(m, new Rect(w / 8, h / 8, Math.Max(1, w / 6), Math.Max(1, h / 6)), Scalar.Black, -1);
        return m;
    }

    private static byte[] Encode(Mat m, string ext, params int[] prms)
    {
        Cv2.ImEncode(ext, m, out var bytes, prms);
        return bytes;
    }

    private static void TryAdd(List<byte[]> seeds, Mat m, string ext, params int[] prms)
    {
        try
        {
            seeds.Add(Encode(m, ext, prms));
        }
        catch (OpenCVException)
        {
            // This OpenCV build lacks the encoder; the seed is simply missing.
        }
    }
}
