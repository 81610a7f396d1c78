using Microsoft.ML.OnnxRuntime;
using MoodBot.Core;

namespace MoodBot.Vision;

/// <summary>An input and an output tensor over managed arrays, created once and reused for every call with the same face count.</summary>
internal sealed class BoundTensors : IDisposable
{
    public BoundTensors(int count, int side)
    {
        Input = new float[count * side * side];
        Output = new float[count * Emotions.Count];
        InputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Input.AsMemory(), [count, 1, side, side]);
        OutputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Output.AsMemory(), [count, Emotions.Count]);
    }

    public float[] Input { get; }

    public float[] Output { get; }

    public OrtValue InputValue { get; }

    public OrtValue OutputValue { get; }

    public void Dispose()
    {
        InputValue.Dispose();
        OutputValue.Dispose();
    }
}
