using MoodBot.Core;

namespace MoodBot.Vision;

/// <summary>A face the detector found, in upright original pixels, with the detector's confidence (1 for the cascades).</summary>
public readonly record struct DetectedFace(FaceBox Box, float Score);
