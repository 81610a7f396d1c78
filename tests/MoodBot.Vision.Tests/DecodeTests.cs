using OpenCvSharp;

namespace MoodBot.Vision.Tests;

[Collection(VisionGroup.Name)]
public sealed class DecodeTests(VisionFixture vision)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Decode_ExifOrientation_MarkerEndsUpTopLeft(int orientation)
    {
        // Store the upright picture the way a camera would for this orientation (the inverse transform),
        // then check that decoding brings the marker back to the top-left.
        using var upright = TestImages.Marker(320, 240);
        using var stored = StoreAs(upright, orientation);
        var jpeg = TestImages.WithExifOrientation(TestImages.Encode(stored, ".jpg", (int)ImwriteFlags.JpegQuality, 95), orientation);

        var header = ImageProbe.Read(jpeg, vision.Options);
        Assert.Equal(orientation, header.Orientation);
        using var decoded = PhotoDecoder.Decode(jpeg, header, 1280);
        Assert.Equal((320, 240), (decoded.Grey.Width, decoded.Grey.Height));
        Assert.Equal((320, 240), (decoded.OriginalWidth, decoded.OriginalHeight));
        Assert.True(decoded.Grey.At<byte>(240 / 16 + 20, 320 / 16 + 20) > 200, "marker should be top-left");
        Assert.True(decoded.Grey.At<byte>(240 - 30, 320 - 30) < 100, "bottom-right should be dark");
    }

    [Fact]
    public void Decode_LargeJpeg_DecodedReducedInsideTheDecoder()
    {
        using var big = TestImages.Marker(4032, 3024);
        var jpeg = TestImages.Encode(big, ".jpg");
        var header = ImageProbe.Read(jpeg, vision.Options);
        using var decoded = PhotoDecoder.Decode(jpeg, header, 1280);
        Assert.Equal(2, decoded.Reduction);
        Assert.Equal((2016, 1512), (decoded.Grey.Width, decoded.Grey.Height));
        Assert.Equal((4032, 3024), (decoded.OriginalWidth, decoded.OriginalHeight));
    }

    [Fact]
    public void Analyze_LargeJpeg_BoxesInOriginalCoordinates()
    {
        var photo = SharedData.Path("photos/bbt1.jpg");
        using var src = Cv2.ImRead(photo);
        using var big = new Mat();
        Cv2.Resize(src, big, new Size(src.Width * 3, src.Height * 3), 0, 0, InterpolationFlags.Linear);
        var small = vision.Analyze(File.ReadAllBytes(photo));
        var large = vision.Analyze(TestImages.Encode(big, ".jpg", (int)ImwriteFlags.JpegQuality, 92));
        Assert.Equal((big.Width, big.Height), (large.Width, large.Height));
        Assert.Equal(small.Faces.Count, large.Faces.Count);
        foreach (var f in small.Faces)
        {
            // Each face of the original reappears at 3× the coordinates (within detector jitter).
            Assert.Contains(large.Faces, g =>
                Math.Abs(g.Box.X - (3 * f.Box.X)) < 0.15 * 3 * f.Box.Width &&
                Math.Abs(g.Box.Y - (3 * f.Box.Y)) < 0.15 * 3 * f.Box.Height);
        }
    }

    private static Mat StoreAs(Mat upright, int orientation)
    {
        var dst = new Mat();
        switch (orientation)
        {
            case 1: upright.CopyTo(dst); break;
            case 2: Cv2.Flip(upright, dst, FlipMode.Y); break;
            case 3: Cv2.Rotate(upright, dst, RotateFlags.Rotate180); break;
            case 4: Cv2.Flip(upright, dst, FlipMode.X); break;
            case 5: Cv2.Transpose(upright, dst); break;
            case 6: Cv2.Rotate(upright, dst, RotateFlags.Rotate90Counterclockwise); break;
            case 7:
                Cv2.Flip(upright, dst, FlipMode.X);
                Cv2.Rotate(dst, dst, RotateFlags.Rotate90Counterclockwise);
                break;
            case 8: Cv2.Rotate(upright, dst, RotateFlags.Rotate90Clockwise); break;
        }

        return dst;
    }
}
