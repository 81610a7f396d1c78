using System.Buffers.Binary;
using System.Text;
using OpenCvSharp;

namespace MoodBot.Vision.Tests;

/// <summary>Generates the bad-input corpus and other test images in memory; nothing is read from disk.</summary>
internal static class TestImages
{
    public static byte[] Encode(Mat image, string ext, params int[] prms)
    {
        Cv2.ImEncode(ext, image, out var bytes, prms);
        return bytes;
    }

    /// <summary>A grey gradient with a bright square in the top-left quadrant (to check orientation).</summary>
    public static Mat Marker(int width, int height)
    {
        var m = new Mat(height, width, MatType.CV_8UC3, new Scalar(40, 40, 40));
        Cv2.Rectangle(m, new Rect(width / 16, height / 16, width / 4, height / 4), Scalar.White, -1);
        return m;
    }

    /// <summary>Inserts an EXIF APP1 segment carrying only the Orientation tag right after SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        var tiff = new List<byte>();
        tiff.AddRange("II*\0"u8.ToArray());
        tiff.AddRange(BitConverter.GetBytes(8u)); // IFD0 offset
        tiff.AddRange(BitConverter.GetBytes((ushort)1)); // one entry
        tiff.AddRange(BitConverter.GetBytes((ushort)0x0112)); // Orientation
        tiff.AddRange(BitConverter.GetBytes((ushort)3)); // SHORT
        tiff.AddRange(BitConverter.GetBytes(1u));
        tiff.AddRange(BitConverter.GetBytes((ushort)orientation));
        tiff.AddRange(new byte[2]);
        tiff.AddRange(BitConverter.GetBytes(0u)); // no next IFD
        var payload = Encoding.ASCII.GetBytes("Exif\0\0").Concat(tiff).ToArray();
        var seg = new byte[4 + payload.Length];
        seg[0] = 0xFF;
        seg[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(seg.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(seg, 4);
        return [.. jpeg[..2], .. seg, .. jpeg[2..]];
    }

    /// <summary>A PNG whose header claims <paramref name="w"/>×<paramref name="h"/> but which carries only a few bytes of data.</summary>
    public static byte[] PngHeaderOnly(int w, int h)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // greyscale
        WriteChunk(ms, "IHDR", ihdr);
        WriteChunk(ms, "IDAT", [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>An animated GIF (two frames) with uncompressed LZW data; frame 1 is bright, frame 2 dark.</summary>
    public static byte[] AnimatedGif(int w, int h)
    {
        using var ms = new MemoryStream();
        ms.Write("GIF89a"u8);
        ms.Write(BitConverter.GetBytes((ushort)w));
        ms.Write(BitConverter.GetBytes((ushort)h));
        ms.WriteByte(0xF7); // global colour table, 256 entries
        ms.WriteByte(0);
        ms.WriteByte(0);
        for (var i = 0; i < 256; i++)
        {
            ms.WriteByte((byte)i);
            ms.WriteByte((byte)i);
            ms.WriteByte((byte)i);
        }

        // Netscape looping extension marks it as an animation.
        ms.Write([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00]);
        foreach (var value in new byte[] { 220, 30 })
        {
            ms.Write([0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00]); // graphic control, 100 ms
            ms.WriteByte(0x2C);
            ms.Write(BitConverter.GetBytes((ushort)0));
            ms.Write(BitConverter.GetBytes((ushort)0));
            ms.Write(BitConverter.GetBytes((ushort)w));
            ms.Write(BitConverter.GetBytes((ushort)h));
            ms.WriteByte(0);
            ms.WriteByte(8); // LZW minimum code size
            WriteSubBlocks(ms, UncompressedLzw(Enumerable.Repeat(value, w * h).ToArray()));
        }

        ms.WriteByte(0x3B);
        return ms.ToArray();
    }

    /// <summary>"ftypheic" box: what an iPhone HEIC starts with.</summary>
    public static byte[] HeicLike()
    {
        var b = new byte[64];
        BinaryPrimitives.WriteInt32BigEndian(b, 24);
        "ftypheic"u8.CopyTo(b.AsSpan(4));
        "mif1heic"u8.CopyTo(b.AsSpan(16));
        return b;
    }

    private static byte[] UncompressedLzw(byte[] pixels)
    {
        // 9-bit codes with a CLEAR every 254 pixels, so the code table never grows past 9 bits.
        var bits = new List<bool>();
        void Emit(int code)
        {
            for (var i = 0; i < 9; i++)
            {
                bits.Add(((code >> i) & 1) == 1);
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
        var bytes = new byte[(bits.Count + 7) / 8];
        for (var i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                bytes[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return bytes;
    }

    private static void WriteSubBlocks(Stream s, byte[] data)
    {
        for (var i = 0; i < data.Length; i += 255)
        {
            var n = Math.Min(255, data.Length - i);
            s.WriteByte((byte)n);
            s.Write(data, i, n);
        }

        s.WriteByte(0);
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. typeBytes, .. data]));
        s.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            c ^= b;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
        }

        return c ^ 0xFFFFFFFFu;
    }
}
