using System.Buffers.Binary;

namespace MoodBot.Fuzz;

/// <summary>Format-blind mutations (the classic AFL/libFuzzer set), used by both targets.</summary>
public static class ByteMutations
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x10, 0x40, 0x20];

    private static readonly uint[] InterestingWords = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];

    public static byte[] Apply(byte[] input, IReadOnlyList<byte[]> pool, Random rng)
    {
        var data = input;
        var n = 1 + rng.Next(4);
        for (var i = 0; i < n; i++)
        {
            data = Once(data, pool, rng);
        }

        return data;
    }

    public static byte[] Once(byte[] data, IReadOnlyList<byte[]> pool, Random rng)
    {
        if (data.Length == 0)
        {
            return RandomBytes(rng, 1 + rng.Next(64));
        }

        var d = (byte[])data.Clone();
        switch (rng.Next(10))
        {
            case 0:
                // Flip 1–8 bits.
                for (int k = 0, m = 1 + rng.Next(8); k < m; k++)
                {
                    d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                }

                return d;
            case 1:
                d[rng.Next(d.Length)] = InterestingBytes[rng.Next(InterestingBytes.Length)];
                return d;
            case 2:
                WriteWord(d, rng.Next(d.Length), InterestingWords[rng.Next(InterestingWords.Length)], rng);
                return d;
            case 3:
                // Truncate: the most common real-world damage (an interrupted upload).
                return d[..rng.Next(d.Length)];
            case 4:
            {
                var start = rng.Next(d.Length);
                var len = 1 + rng.Next(Math.Min(256, d.Length - start));
                return [.. d[..start], .. d[(start + len)..]];
            }

            case 5:
            {
                // Duplicate a block somewhere else (repeated chunks, segments, IFD entries).
                var start = rng.Next(d.Length);
                var len = 1 + rng.Next(Math.Min(512, d.Length - start));
                var at = rng.Next(d.Length + 1);
                return [.. d[..at], .. d.AsSpan(start, len), .. d[at..]];
            }

            case 6:
            {
                // Splice: head of this input, tail of another.
                var other = pool[rng.Next(pool.Count)];
                var cut = rng.Next(d.Length + 1);
                var from = other.Length == 0 ? 0 : rng.Next(other.Length);
                return [.. d[..cut], .. other[from..]];
            }

            case 7:
            {
                var at = rng.Next(d.Length + 1);
                return [.. d[..at], .. RandomBytes(rng, 1 + rng.Next(32)), .. d[at..]];
            }

            case 8:
            {
                // Overwrite a run with one value (zeroed or 0xFF-filled sectors).
                var start = rng.Next(d.Length);
                var len = 1 + rng.Next(Math.Min(64, d.Length - start));
                d.AsSpan(start, len).Fill(InterestingBytes[rng.Next(InterestingBytes.Length)]);
                return d;
            }

            default:
                d[rng.Next(d.Length)] = (byte)rng.Next(256);
                return d;
        }
    }

    public static byte[] RandomBytes(Random rng, int length)
    {
        var b = new byte[length];
        rng.NextBytes(b);
        return b;
    }

    public static uint InterestingWord(Random rng) => InterestingWords[rng.Next(InterestingWords.Length)];

    private static void WriteWord(byte[] d, int at, uint value, Random rng)
    {
        var width = rng.Next(2) == 0 ? 2 : 4;
        if (at + width > d.Length)
        {
            return;
        }

        var big = rng.Next(2) == 0;
        if (width == 2)
        {
            if (big)
            {
                BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(at), (ushort)value);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(at), (ushort)value);
            }
        }
        else if (big)
        {
            BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(at), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at), value);
        }
    }
}
