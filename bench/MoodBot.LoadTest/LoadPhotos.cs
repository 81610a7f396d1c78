using MoodBot.Tests;
using SkiaSharp;

namespace MoodBot.LoadTest;

/// <summary>A photo the fake CDN serves, with the metadata Discord would put in the attachment.</summary>
internal sealed record LoadPhoto(string Name, byte[] Bytes, string ContentType, int Width, int Height);

/// <summary>
/// The shared photos with faces (white.png, the no-face control, is left out: its answer is an apology, not an edit
/// of the original) plus a few generated from them: a 1920×1080 scene, a mirror image and a small copy.
/// </summary>
internal static class LoadPhotos
{
    public static IReadOnlyList<LoadPhoto> Load()
    {
        var photos = new List<LoadPhoto>();
        foreach (var name in new[] { "bbt1.jpg", "bbt2.jpg", "bbt4.jpg", "face_rectangular.png" })
        {
            var bytes = File.ReadAllBytes(SharedData.Path("photos/" + name));
            using var image = SKImage.FromEncodedData(bytes);
            photos.Add(new LoadPhoto(name, bytes, name.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg", image.Width, image.Height));
        }

        using var bbt1 = SKImage.FromEncodedData(photos[0].Bytes);
        using var bbt2 = SKImage.FromEncodedData(photos[1].Bytes);
        using var bbt4 = SKImage.FromEncodedData(photos[2].Bytes);
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        photos.Add(Generate("gen-1080p.jpg", 1920, 1080, c => c.DrawImage(bbt1, new SKRect(0, 0, 1920, 1080), sampling)));
        photos.Add(Generate("gen-mirror.jpg", bbt2.Width, bbt2.Height, c =>
        {
            c.Scale(-1, 1, bbt2.Width / 2f, 0);
            c.DrawImage(bbt2, 0, 0, sampling);
        }));
        var small = (Width: 560, Height: (int)Math.Round(560.0 * bbt4.Height / bbt4.Width));
        photos.Add(Generate("gen-small.jpg", small.Width, small.Height,
            c => c.DrawImage(bbt4, new SKRect(0, 0, small.Width, small.Height), sampling)));
        return photos;
    }

    private static LoadPhoto Generate(string name, int width, int height, Action<SKCanvas> draw)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        surface.Canvas.Clear(SKColors.Gray);
        draw(surface.Canvas);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 88);
        return new LoadPhoto(name, data.ToArray(), "image/jpeg", width, height);
    }
}
