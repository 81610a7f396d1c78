using System.Text.Json;
using OpenCvSharp;

namespace MoodBot.Cli;

/// <summary>Matching detections to hand-labelled faces (bench/faces-ground-truth.json), shared by bench and detectors.</summary>
internal static class FaceMatching
{
    /// <summary>A detection counts as a face when it overlaps a labelled box by at least this IoU.</summary>
    public const double MinIoU = 0.3;

    public static Rect ToRect(JsonElement e) => new(e[0].GetInt32(), e[1].GetInt32(), e[2].GetInt32(), e[3].GetInt32());

    public static double IoU(Rect a, Rect b)
    {
        var i = a.Intersect(b);
        if (i.Width <= 0 || i.Height <= 0)
        {
            return 0;
        }

        double inter = i.Width * i.Height;
        return inter / ((a.Width * a.Height) + (b.Width * b.Height) - inter);
    }

    public static bool Matches(Rect a, Rect b) => IoU(a, b) >= MinIoU;
}
