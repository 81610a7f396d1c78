using SkiaSharp;

namespace MoodBot.Tests;

/// <summary>
/// The crowd photo of issue 16: a small PNG that decodes to many pixels. A flat background compresses to almost nothing,
/// and one face (photos/face_rectangular.png, enlarged with nearest-neighbour so it compresses too) sits in the middle,
/// large enough that the detector still finds it after the photo is shrunk to the detection size.
/// </summary>
internal static class CrowdPhoto
{
    /// <summary>PNG bytes of a <paramref name="side"/> × <paramref name="side"/> photo with the face enlarged <paramref name="faceScale"/>×.</summary>
    public static byte[] Png(int side, int faceScale)
    {
        using var face = SKImage.FromEncodedData(File.ReadAllBytes(SharedData.Path("photos/face_rectangular.png")));
        using var surface = SKSurface.Create(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Opaque));
        surface.Canvas.Clear(new SKColor(128, 128, 128));
        var w = face.Width * faceScale;
        var h = face.Height * faceScale;
        var at = new SKRect((side - w) / 2f, (side - h) / 2f, (side + w) / 2f, (side + h) / 2f);
        surface.Canvas.DrawImage(face, at, new SKSamplingOptions(SKFilterMode.Nearest));
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
