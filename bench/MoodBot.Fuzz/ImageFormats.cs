using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MoodBot.Fuzz;

/// <summary>
/// Minimal writers for the container details OpenCV's encoders never produce (palette/low-bit/interlaced PNG,
/// GIF, EXIF with hostile IFDs), and header surgery that keeps checksums valid so mutations get past the first check.
/// </summary>
public static class ImageFormats
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly int[] BmpDepths = [0, 1, 2, 4, 8, 16, 24, 32, 64];

    private static readonly uint[] BmpHeaderSizes = [12, 16, 40, 52, 56, 64, 108, 124, 0, 0xFFFFFFFF];

    /// <summary>A PNG of any colour type / bit depth (rows filled from <paramref name="fill"/>), optionally Adam7-interlaced.</summary>
    public static byte[] Png(int width, int height, byte colourType, byte bitDepth, bool interlace, Func<int, int, byte> fill,
        CompressionLevel level = CompressionLevel.Fastest)
    {
        var channels = colourType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        var bitsPerPixel = channels * bitDepth;
        using var raw = new MemoryStream();
        void Rows(int x0, int y0, int dx, int dy)
        {
            var w = x0 >= width ? 0 : ((width - x0 + dx - 1) / dx);
            var h = y0 >= height ? 0 : ((height - y0 + dy - 1) / dy);
            if (w == 0 || h == 0)
            {
                return;
            }

            var rowBytes = ((w * bitsPerPixel) + 7) / 8;
            var row = new byte[rowBytes];
            for (var r = 0; r < h; r++)
            {
                Array.Clear(row);
                var y = y0 + (r * dy);
                for (var c = 0; c < w; c++)
                {
                    var x = x0 + (c * dx);
                    for (var ch = 0; ch < channels; ch++)
                    {
                        var v = fill(x + ch, y);
                        var bit = ((c * channels) + ch) * bitDepth;
                        if (bitDepth >= 8)
                        {
                            row[bit / 8] = v;
                            if (bitDepth == 16)
                            {
                                row[(bit / 8) + 1] = (byte)(v ^ 0x5A);
                            }
                        }
                        else
                        {
                            var sample = v >> (8 - bitDepth);
                            row[bit / 8] |= (byte)(sample << (8 - bitDepth - (bit % 8)));
                        }
                    }
                }

                raw.WriteByte(0); // filter: none
                raw.Write(row);
            }
        }

        if (interlace)
        {
            // Adam7 passes: (x0, y0, dx, dy).
            int[][] passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
            foreach (var p in passes)
            {
                Rows(p[0], p[1], p[2], p[3]);
            }
        }
        else
        {
            Rows(0, 0, 1, 1);
        }

        using var png = new MemoryStream();
        png.Write(PngSignature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colourType;
        ihdr[12] = (byte)(interlace ? 1 : 0);
        WritePngChunk(png, "IHDR", ihdr);
        if (colourType == 3)
        {
            var plte = new byte[3 << bitDepth];
            for (var i = 0; i < plte.Length; i++)
            {
                plte[i] = (byte)(i * 37);
            }

            WritePngChunk(png, "PLTE", plte);
        }

        WritePngChunk(png, "IDAT", Zlib(raw.ToArray(), level));
        WritePngChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static byte[] Zlib(byte[] data, CompressionLevel level)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, level, leaveOpen: true))
        {
            z.Write(data);
        }

        return ms.ToArray();
    }

    public static void WritePngChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var t = Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(t, data));
        s.Write(len);
    }

    /// <summary>PNG chunks as (offset of length field, data length, type); stops at the first implausible chunk.</summary>
    public static List<(int Offset, int Length, string Type)> PngChunks(byte[] png)
    {
        var list = new List<(int, int, string)>();
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(PngSignature))
        {
            return list;
        }

        var at = 8;
        while (at + 12 <= png.Length)
        {
            var len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (len < 0 || at + 12L + len > png.Length)
            {
                break;
            }

            list.Add((at, len, Encoding.ASCII.GetString(png, at + 4, 4)));
            at += 12 + len;
        }

        return list;
    }

    /// <summary>Recomputes every chunk CRC, so that a mutated chunk reaches libpng's parser instead of its CRC check.</summary>
    public static void FixPngCrcs(byte[] png)
    {
        foreach (var (offset, length, _) in PngChunks(png))
        {
            var crc = Crc32(png.AsSpan(offset + 4, 4), png.AsSpan(offset + 8, length));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + length), crc);
        }
    }

    /// <summary>A GIF with an uncompressed-LZW frame per entry of <paramref name="frames"/> (each frame a single grey value).</summary>
    public static byte[] Gif(int width, int height, byte[] frames, bool interlaced = false)
    {
        using var ms = new MemoryStream();
        ms.Write("GIF89a"u8);
        WriteLe16(ms, width);
        WriteLe16(ms, height);
        ms.WriteByte(0xF7);
        ms.WriteByte(0);
        ms.WriteByte(0);
        for (var i = 0; i < 256; i++)
        {
            ms.WriteByte((byte)i);
            ms.WriteByte((byte)(255 - i));
            ms.WriteByte((byte)(i ^ 0x55));
        }

        if (frames.Length > 1)
        {
            ms.Write([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00]);
        }

        foreach (var value in frames)
        {
            ms.Write([0x21, 0xF9, 0x04, 0x00, 0x05, 0x00, 0x00, 0x00]);
            ms.WriteByte(0x2C);
            WriteLe16(ms, 0);
            WriteLe16(ms, 0);
            WriteLe16(ms, width);
            WriteLe16(ms, height);
            ms.WriteByte((byte)(interlaced ? 0x40 : 0));
            ms.WriteByte(8);
            var pixels = new byte[width * height];
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (byte)(value + (i % width));
            }

            var lzw = UncompressedLzw(pixels);
            for (var i = 0; i < lzw.Length; i += 255)
            {
                var n = Math.Min(255, lzw.Length - i);
                ms.WriteByte((byte)n);
                ms.Write(lzw, i, n);
            }

            ms.WriteByte(0);
        }

        ms.WriteByte(0x3B);
        return ms.ToArray();
    }

    /// <summary>
    /// A JPEG APP1 "Exif" segment. <paramref name="ifdLoop"/> points IFD0's next-IFD offset back at itself and adds an
    /// Exif sub-IFD pointer to IFD0 (the classic infinite-walk trap); <paramref name="entries"/> pads IFD0 with junk tags.
    /// </summary>
    public static byte[] ExifSegment(int orientation, bool bigEndian, bool ifdLoop, int entries, uint badOffset)
    {
        var tiff = new List<byte>();
        void U16(int v)
        {
            var b = new byte[2];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
            }

            tiff.AddRange(b);
        }

        void U32(uint v)
        {
            var b = new byte[4];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(b, v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            }

            tiff.AddRange(b);
        }

        tiff.AddRange(bigEndian ? "MM"u8.ToArray() : "II"u8.ToArray());
        U16(42);
        U32(8);
        var count = 1 + (ifdLoop ? 1 : 0) + entries;
        U16(count);
        U16(0x0112);
        U16(3);
        U32(1);
        U16(orientation);
        U16(0);
        if (ifdLoop)
        {
            U16(0x8769); // ExifIFD pointer → IFD0 again
            U16(4);
            U32(1);
            U32(8);
        }

        for (var i = 0; i < entries; i++)
        {
            U16(0x010F + i); // make, model, ...: ASCII pointing wherever badOffset says
            U16(2);
            U32(64);
            U32(badOffset);
        }

        U32(ifdLoop ? 8u : 0u);
        var payload = Encoding.ASCII.GetBytes("Exif\0\0").Concat(tiff).ToArray();
        var seg = new byte[4 + payload.Length];
        seg[0] = 0xFF;
        seg[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(seg.AsSpan(2), (ushort)Math.Min(0xFFFF, payload.Length + 2));
        payload.CopyTo(seg, 4);
        return seg;
    }

    /// <summary>Inserts a segment right after the JPEG SOI marker.</summary>
    public static byte[] InsertAfterSoi(byte[] jpeg, byte[] segment) =>
        jpeg.Length < 2 ? [.. jpeg, .. segment] : [.. jpeg[..2], .. segment, .. jpeg[2..]];

    /// <summary>JPEG marker segments before the scan data: (offset of 0xFF, marker, total length incl. marker).</summary>
    public static List<(int Offset, byte Marker, int Length)> JpegSegments(byte[] jpeg)
    {
        var list = new List<(int, byte, int)>();
        var at = 2;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF)
        {
            var marker = jpeg[at + 1];
            var len = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
            list.Add((at, marker, len + 2));
            if (marker == 0xDA)
            {
                break;
            }

            at += len + 2;
        }

        return list;
    }

    /// <summary>Writes width/height into whatever header the format has, keeping PNG CRCs valid.</summary>
    public static byte[] WithDimensions(byte[] image, int width, int height)
    {
        var d = (byte[])image.Clone();
        if (d.Length >= 24 && d.AsSpan(0, 8).SequenceEqual(PngSignature))
        {
            BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(16), width);
            BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(20), height);
            FixPngCrcs(d);
        }
        else if (d.Length >= 4 && d[0] == 0xFF && d[1] == 0xD8)
        {
            foreach (var (offset, marker, _) in JpegSegments(d))
            {
                if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && offset + 9 <= d.Length)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(offset + 5), (ushort)height);
                    BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(offset + 7), (ushort)width);
                }
            }
        }
        else if (d.Length >= 10 && d[0] == 'G' && d[1] == 'I' && d[2] == 'F')
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(6), (ushort)width);
            BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(8), (ushort)height);
        }
        else if (d.Length >= 26 && d[0] == 'B' && d[1] == 'M')
        {
            BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(18), width);
            BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(22), height);
        }
        else if (d.Length >= 30 && d.AsSpan(0, 4).SequenceEqual("RIFF"u8) && d.AsSpan(8, 4).SequenceEqual("WEBP"u8))
        {
            var chunk = Encoding.ASCII.GetString(d, 12, 4);
            switch (chunk)
            {
                case "VP8X":
                    Write24(d, 24, width - 1);
                    Write24(d, 27, height - 1);
                    break;
                case "VP8 ":
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(26), (ushort)(width & 0x3FFF));
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(28), (ushort)(height & 0x3FFF));
                    break;
                case "VP8L":
                    var bits = (uint)((width - 1) & 0x3FFF) | ((uint)((height - 1) & 0x3FFF) << 14) | (BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(21)) & 0xF0000000);
                    BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(21), bits);
                    break;
            }
        }

        return d;
    }

    /// <summary>A BMP header edit: bits per pixel, compression, or the header size field.</summary>
    public static byte[] BmpField(byte[] bmp, Random rng)
    {
        var d = (byte[])bmp.Clone();
        if (d.Length < 34 || d[0] != 'B' || d[1] != 'M')
        {
            return d;
        }

        switch (rng.Next(4))
        {
            case 0: BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(28), (ushort)BmpDepths[rng.Next(BmpDepths.Length)]); break;
            case 1: BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(30), (uint)rng.Next(8)); break;
            case 2: BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(14), BmpHeaderSizes[rng.Next(BmpHeaderSizes.Length)]); break;
            default: BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(10), ByteMutations.InterestingWord(rng)); break;
        }

        return d;
    }

    private static void Write24(byte[] d, int at, int v)
    {
        d[at] = (byte)v;
        d[at + 1] = (byte)(v >> 8);
        d[at + 2] = (byte)(v >> 16);
    }

    private static void WriteLe16(Stream s, int v)
    {
        s.WriteByte((byte)v);
        s.WriteByte((byte)(v >> 8));
    }

    private static byte[] UncompressedLzw(byte[] pixels)
    {
        // 9-bit codes with a CLEAR every 254 pixels, so the decoder's table never needs wider codes.
        var bytes = new List<byte>();
        int acc = 0, nbits = 0;
        void Emit(int code)
        {
            acc |= code << nbits;
            nbits += 9;
            while (nbits >= 8)
            {
                bytes.Add((byte)acc);
                acc >>= 8;
                nbits -= 8;
            }
        }

        for (var i = 0; i < pixels.Length; i++)
        {
            if (i % 254 == 0)
            {
                Emit(256);
            }

            Emit(pixels[i]);
        }

        Emit(257);
        if (nbits > 0)
        {
            bytes.Add((byte)acc);
        }

        return [.. bytes];
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in type)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        foreach (var b in data)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFFu;
    }
}
