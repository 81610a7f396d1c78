using MoodBot.Core;
using SkiaSharp;

namespace MoodBot.Discord.Replies;

/// <summary>
/// Renders the small PNG attached to a reply: one bar per emotion and the (valence, energy) target as a point.
/// Drawn in memory; nothing touches disk.
/// </summary>
internal static class MoodChart
{
    public const int Width = 640;
    public const int Height = 280;

    private static readonly SKColor Background = new(0x2B, 0x2D, 0x31);
    private static readonly SKColor Text = new(0xE6, 0xE6, 0xE6);
    private static readonly SKColor Muted = new(0x8A, 0x8F, 0x98);
    private static readonly Lazy<SKTypeface> Typeface = new(LoadTypeface);

    public static SKColor ColorOf(Emotion e) => e switch
    {
        Emotion.Angry => new SKColor(0xE7, 0x4C, 0x3C),
        Emotion.Disgust => new SKColor(0x7D, 0xA4, 0x3B),
        Emotion.Fear => new SKColor(0x8E, 0x6B, 0xC4),
        Emotion.Happy => new SKColor(0xF1, 0xC4, 0x0F),
        Emotion.Sad => new SKColor(0x34, 0x98, 0xDB),
        Emotion.Surprise => new SKColor(0xE6, 0x7E, 0x22),
        _ => new SKColor(0x95, 0xA5, 0xA6),
    };

    public static byte[] RenderPng(EmotionProbabilities probabilities, MoodTarget target)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(Background);
        using var font = new SKFont(Typeface.Value, 15);
        using var small = new SKFont(Typeface.Value, 12);
        using var paint = new SKPaint { IsAntialias = true };

        DrawBars(canvas, probabilities, font, paint);
        DrawPlane(canvas, target, probabilities.Top, font, small, paint);

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static void DrawBars(SKCanvas canvas, EmotionProbabilities p, SKFont font, SKPaint paint)
    {
        const float left = 16, labelWidth = 78, barLeft = left + labelWidth, barMax = 230, top = 34, rowHeight = 33;
        paint.Color = Text;
        canvas.DrawText("Emotion", left, 22, SKTextAlign.Left, font, paint);
        var top1 = p.Top;
        var row = 0;
        foreach (var (emotion, value) in p.Pairs())
        {
            var y = top + (row++ * rowHeight);
            paint.Color = emotion == top1 ? Text : Muted;
            canvas.DrawText(Capitalise(emotion.Name()), left, y + 17, SKTextAlign.Left, font, paint);
            paint.Color = new SKColor(0x40, 0x44, 0x4B);
            canvas.DrawRoundRect(new SKRect(barLeft, y + 4, barLeft + barMax, y + 22), 4, 4, paint);
            paint.Color = ColorOf(emotion);
            canvas.DrawRoundRect(new SKRect(barLeft, y + 4, barLeft + Math.Max(2, barMax * value), y + 22), 4, 4, paint);
            paint.Color = Text;
            canvas.DrawText($"{value * 100:0}%", barLeft + barMax + 8, y + 18, SKTextAlign.Left, font, paint);
        }
    }

    private static void DrawPlane(SKCanvas canvas, MoodTarget target, Emotion top, SKFont font, SKFont small, SKPaint paint)
    {
        const float size = 210, left = 400, topY = 40;
        var rect = new SKRect(left, topY, left + size, topY + size);
        paint.Color = Text;
        canvas.DrawText("Target", left, 22, SKTextAlign.Left, font, paint);
        paint.Color = new SKColor(0x36, 0x39, 0x3F);
        canvas.DrawRect(rect, paint);
        paint.Color = new SKColor(0x50, 0x54, 0x5C);
        paint.StrokeWidth = 1;
        canvas.DrawLine(rect.MidX, rect.Top, rect.MidX, rect.Bottom, paint);
        canvas.DrawLine(rect.Left, rect.MidY, rect.Right, rect.MidY, paint);

        // Quadrants of Russell's circumplex, so the point reads without knowing the axes.
        paint.Color = Muted;
        canvas.DrawText("tense", rect.Left + 6, rect.Top + 16, SKTextAlign.Left, small, paint);
        canvas.DrawText("upbeat", rect.Right - 6, rect.Top + 16, SKTextAlign.Right, small, paint);
        canvas.DrawText("gloomy", rect.Left + 6, rect.Bottom - 8, SKTextAlign.Left, small, paint);
        canvas.DrawText("calm", rect.Right - 6, rect.Bottom - 8, SKTextAlign.Right, small, paint);
        canvas.DrawText("energy ↑", rect.Left - 4, rect.Top - 6, SKTextAlign.Left, small, paint);
        canvas.DrawText("valence →", rect.Right, rect.Top - 6, SKTextAlign.Right, small, paint);

        var x = rect.Left + ((float)Math.Clamp(target.Valence, 0, 1) * size);
        var y = rect.Bottom - ((float)Math.Clamp(target.Energy, 0, 1) * size);
        paint.Color = ColorOf(top);
        canvas.DrawCircle(x, y, 9, paint);
        paint.Color = SKColors.White;
        paint.Style = SKPaintStyle.Stroke;
        paint.StrokeWidth = 2;
        canvas.DrawCircle(x, y, 9, paint);
        paint.Style = SKPaintStyle.Fill;
        paint.Color = Text;
        canvas.DrawText($"v {target.Valence:0.00} · e {target.Energy:0.00}", rect.MidX, rect.Bottom + 22, SKTextAlign.Center, small, paint);
    }

    private static string Capitalise(string s) => string.Concat(s[..1].ToUpperInvariant(), s.AsSpan(1));

    /// <summary>
    /// The NoDependencies Skia build has no fontconfig, so the default typeface may have no glyphs; look for a common
    /// system font (DejaVu/Liberation ship in most images), else fall back to whatever Skia offers.
    /// </summary>
    private static SKTypeface LoadTypeface()
    {
        string[] candidates =
        [
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            "/usr/share/fonts/TTF/DejaVuSans.ttf",
        ];
        foreach (var path in candidates)
        {
            if (File.Exists(path) && SKTypeface.FromFile(path) is { } t)
            {
                return t;
            }
        }

        return SKFontManager.Default.MatchFamily("sans-serif") ?? SKTypeface.Default;
    }
}
