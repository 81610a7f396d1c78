using MoodBot.Core;
using OpenCvSharp;

namespace MoodBot.Vision.Tests;

/// <summary>The bad-input corpus of issue 2 item 6: every case gets a clear outcome, never a crash or a hang.</summary>
[Collection(VisionGroup.Name)]
public sealed class BadInputTests(VisionFixture vision)
{
    // A 64×48 CMYK JPEG made with Pillow (Image.new("CMYK", ...).save(quality=90)); OpenCV cannot write CMYK JPEGs.
    private const string CmykJpegBase64 = "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4LCxAWEBETFBUVFQwPFxgWFBgSFBUU/8AAFAgAMABABEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD9U6/VOv1Tr9A/Dfhv/hIftP8ApP2fydv8G7Oc+49KKKK2v+Fbf9RH/wAgf/ZUUUVl+IvCX9g2SXH2vz90gj2+XtxwTnOT6UUUVz1FFFFFFFFFFFFFFFFFFFdr8Nv+Yj/2z/8AZqKKK7aiiiuX+If/ACBYP+vhf/QWooorzyiiiiiiiiiiiiiiiiiiip7a+ubLd9nuJYN2N3lOVz6ZxRRRU39uaj/0ELr/AL/N/jRRRUVxqN3eIEnupp0ByFkkLDPrzRRRVeiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiv/2Q==";

    [Fact]
    public void Analyze_ZeroBytes_RefusedAsEmpty()
    {
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyze([]));
        Assert.Equal(ImageProblem.Empty, e.Problem);
    }

    [Theory]
    [InlineData("not an image at all, just some text")]
    [InlineData("\u0089PNG garbage")]
    [InlineData("GIF89a")]
    public void Analyze_NonImageBytes_RefusedWithReason(string text)
    {
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyze(System.Text.Encoding.Latin1.GetBytes(text)));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Analyze_RandomBytes_RefusedNotCrashed()
    {
        var rng = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var b = new byte[rng.Next(1, 4096)];
            rng.NextBytes(b);
            Assert.Throws<UnsupportedImageException>(() => vision.Analyze(b));
        }
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Analyze_TruncatedJpeg_RefusedAsCorrupt(double keep)
    {
        using var img = TestImages.Marker(640, 480);
        var jpeg = TestImages.Encode(img, ".jpg");
        var cut = jpeg[..(int)(jpeg.Length * keep)];
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyze(cut));
        Assert.Equal(ImageProblem.Corrupt, e.Problem);
    }

    [Fact]
    public void Analyze_TruncatedPng_RefusedAsCorrupt()
    {
        using var img = TestImages.Marker(320, 240);
        var png = TestImages.Encode(img, ".png");
        Assert.Throws<UnsupportedImageException>(() => vision.Analyze(png[..(png.Length / 2)]));
    }

    [Fact]
    public void Analyze_OnePixel_NoFaceNoCrash()
    {
        using var img = new Mat(1, 1, MatType.CV_8UC3, Scalar.Gray);
        var r = vision.Analyze(TestImages.Encode(img, ".png"));
        Assert.Empty(r.Faces);
        Assert.Equal((1, 1), (r.Width, r.Height));
    }

    [Fact]
    public void Analyze_HugeDimensionsFewBytes_RefusedBeforeDecoding()
    {
        var png = TestImages.PngHeaderOnly(30000, 30000);
        Assert.True(png.Length < 4096);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyze(png));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(ImageProblem.TooManyPixels, e.Problem);
        Assert.Contains("30000", e.Message, StringComparison.Ordinal);
        // Refused from the header: nowhere near the 900 MB a decode would need.
        Assert.True(allocated < 10_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Analyze_OverMaxBytes_Refused()
    {
        var big = new byte[vision.Options.MaxBytes + 1];
        big[0] = 0xFF;
        big[1] = 0xD8;
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyze(big));
        Assert.Equal(ImageProblem.TooLarge, e.Problem);
    }

    [Fact]
    public void Analyze_AnimatedGif_UsesFirstFrame()
    {
        var gif = TestImages.AnimatedGif(64, 48);
        var header = ImageProbe.Read(gif, vision.Options);
        Assert.Equal(PhotoFormat.Gif, header.Format);
        using var decoded = PhotoDecoder.Decode(gif, header, 1280);
        Assert.Equal((64, 48), (decoded.Grey.Width, decoded.Grey.Height));
        // Frame 1 is bright (220), frame 2 dark (30).
        Assert.InRange(Cv2.Mean(decoded.Grey).Val0, 200, 240);
        Assert.Empty(vision.Analyze(gif).Faces);
    }

    [Fact]
    public void Analyze_CmykJpeg_DecodesToGrey()
    {
        var bytes = Convert.FromBase64String(CmykJpegBase64);
        var header = ImageProbe.Read(bytes, vision.Options);
        using var decoded = PhotoDecoder.Decode(bytes, header, 1280);
        Assert.Equal(MatType.CV_8UC1, decoded.Grey.Type());
        Assert.Equal((64, 48), (decoded.Grey.Width, decoded.Grey.Height));
        Assert.Empty(vision.Analyze(bytes).Faces);
    }

    [Fact]
    public void Analyze_PngWithAlpha_Decodes()
    {
        using var img = new Mat(40, 60, MatType.CV_8UC4, new Scalar(10, 200, 30, 128));
        var r = vision.Analyze(TestImages.Encode(img, ".png"));
        Assert.Equal((60, 40), (r.Width, r.Height));
    }

    [Fact]
    public void Analyze_WebP_Decodes()
    {
        using var img = TestImages.Marker(96, 64);
        var webp = TestImages.Encode(img, ".webp");
        var r = vision.Analyze(webp);
        Assert.Equal((96, 64), (r.Width, r.Height));
    }

    [Fact]
    public void Analyze_Heic_RefusedWithHelpfulMessage()
    {
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyze(TestImages.HeicLike()));
        Assert.Equal(ImageProblem.UnsupportedFormat, e.Problem);
        Assert.Contains("HEIC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_Tiff_RefusedAsUnsupported()
    {
        using var img = TestImages.Marker(32, 32);
        var tiff = TestImages.Encode(img, ".tiff");
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyze(tiff));
        Assert.Equal(ImageProblem.UnsupportedFormat, e.Problem);
    }
}
