using System.Buffers.Binary;
using MetadataExtractor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MoodBot.Core;
using MoodBot.Vision;
using OpenCvSharp;

namespace MoodBot.Fuzz.Tests;

/// <summary>One analyzer (one model session) for the image regressions, from the bot's own registration.</summary>
public sealed class AnalyzerFixture : IDisposable
{
    private readonly IHost _host;

    public AnalyzerFixture()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.AddVision();
        _host = builder.Build();
        Analyzer = _host.Services.GetRequiredService<PhotoAnalyzer>();
    }

    public PhotoAnalyzer Analyzer { get; }

    public void Dispose() => _host.Dispose();
}

/// <summary>Inputs the image fuzzer found crashing (docs/fuzzing.md, "Bugs found"), rebuilt by hand so each stays readable.</summary>
public sealed class ImageRegressionTests(AnalyzerFixture vision) : IClassFixture<AnalyzerFixture>
{
    [Fact]
    public void Analyze_DhtSegmentSwallowingNextMarker_RefusedAsCorrupt()
    {
        // MetadataExtractor reports this with its own MetadataException, which the probe did not catch.
        // A Huffman table whose first symbols read FF DA: MetadataExtractor's DHT reader sees an SOS marker inside the table.
        var jpeg = Jpeg(32, 24);
        var (offset, _, _) = ImageFormats.JpegSegments(jpeg).First(s => s.Marker == 0xC4);
        var symbols = offset + 4 + 1 + 16; // marker, length, class/id, 16 code counts
        jpeg[symbols] = 0xFF;
        jpeg[symbols + 1] = 0xDA;
        Assert.ThrowsAny<MetadataException>(() => ImageMetadataReader.ReadMetadata(new MemoryStream(jpeg)));

        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyzer.Analyze(jpeg, TestContext.Current.CancellationToken));

        Assert.Equal(ImageProblem.Corrupt, e.Problem);
    }

    [Fact]
    public void Analyze_PngHeightIntMinValue_RefusedAsCorrupt()
    {
        // 0x80000000 reads back as int.MinValue, which Math.Abs cannot negate (OverflowException before the fix).
        var png = ImageFormats.WithDimensions(ImageFormats.Png(8, 8, 0, 8, interlace: false, (x, y) => (byte)(x + y)), 8, int.MinValue);

        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyzer.Analyze(png, TestContext.Current.CancellationToken));

        Assert.Equal(ImageProblem.Corrupt, e.Problem);
    }

    [Theory]
    [InlineData(0x7FFF_FFF0u)] // OutOfMemoryException ("Array dimensions exceeded supported range") before the fix
    [InlineData(0x6000_0000u)] // a 1.5 GB array allocated for a 48-byte file before the fix
    public void Analyze_PngChunkLongerThanFile_RefusedWithoutAllocatingIt(uint declared)
    {
        using var ms = new MemoryStream();
        var valid = ImageFormats.Png(16, 16, 0, 8, interlace: false, (_, _) => 7);
        ms.Write(valid.AsSpan(0, 33)); // signature + IHDR
        ImageFormats.WritePngChunk(ms, "tEXt", "abc"u8);
        var png = ms.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(33), declared);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyzer.Analyze(png, TestContext.Current.CancellationToken));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageProblem.Corrupt, e.Problem);
        Assert.True(allocated < 16 * 1024 * 1024, $"refusing a {png.Length}-byte file allocated {allocated} bytes");
    }

    [Fact]
    public void Analyze_WebPChunkLongerThanFile_RefusedWithoutAllocatingIt()
    {
        using var scene = Scene(16, 16);
        Cv2.ImEncode(".webp", scene, out var webp, [(int)ImwriteFlags.WebPQuality, 80]);
        BinaryPrimitives.WriteUInt32LittleEndian(webp.AsSpan(16), 0x7000_0000u); // first chunk's size

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<UnsupportedImageException>(() => vision.Analyzer.Analyze(webp, TestContext.Current.CancellationToken));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageProblem.Corrupt, e.Problem);
        Assert.True(allocated < 16 * 1024 * 1024, $"refusing a {webp.Length}-byte file allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(5000, 1)]
    [InlineData(1, 5000)]
    [InlineData(9000, 2)]
    public void Analyze_LongThinStrip_AnalysedWithoutFaces(int width, int height)
    {
        // Scaling 5000×1 to the detection size rounded the short side to 0 and OpenCV threw (!dsize.empty()).
        var png = ImageFormats.Png(width, height, 0, 8, interlace: false, (x, y) => (byte)(x ^ y));

        var analysis = vision.Analyzer.Analyze(png, TestContext.Current.CancellationToken);

        Assert.Equal(width, analysis.Width);
        Assert.Equal(height, analysis.Height);
        Assert.Empty(analysis.Faces);
    }

    private static byte[] Jpeg(int w, int h)
    {
        using var m = Scene(w, h);
        Cv2.ImEncode(".jpg", m, out var bytes, [(int)ImwriteFlags.JpegQuality, 90]);
        return bytes;
    }

    private static Mat Scene(int w, int h)
    {
        var m = new Mat(h, w, MatType.CV_8UC3, new Scalar(30, 60, 90));
        Cv2.Circle(m, new Point(w / 2, h / 2), Math.Min(w, h) / 3, Scalar.White, -1);
        return m;
    }
}
