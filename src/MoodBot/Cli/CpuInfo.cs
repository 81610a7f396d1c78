using System.Runtime.Intrinsics.X86;
using System.Text.Json.Nodes;

namespace MoodBot.Cli;

/// <summary>
/// The CPU's name and the vector extensions ONNX Runtime and OpenCV pick their kernels by. Benchmark figures differ
/// more between an AVX2-only and an AVX-512 VNNI machine than between two runs, so the bench prints them beside its numbers.
/// </summary>
public static class CpuInfo
{
    /// <summary>Model name from <c>/proc/cpuinfo</c>, or the architecture where that file is missing.</summary>
    public static string ModelName()
    {
        var flags = ProcCpuInfo();
        var name = flags.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return name is null ? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString() : name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    /// <summary>
    /// <c>System.Runtime.Intrinsics.X86</c> flags. .NET 10 has no class for AVX512-VNNI (only the VEX-encoded
    /// <see cref="AvxVnni"/> and AVX10), and it is the one ONNX Runtime's int8 kernels use on AVX-512 machines, so that
    /// flag comes from the kernel's <c>/proc/cpuinfo</c> instead.
    /// </summary>
    public static JsonObject VectorExtensions() => new()
    {
        ["avx2"] = Avx2.IsSupported,
        ["fma"] = Fma.IsSupported,
        ["avx512f"] = Avx512F.IsSupported,
        ["avx512bw"] = Avx512BW.IsSupported,
        ["avx512_vnni"] = ProcFlags().Contains("avx512_vnni"),
        ["avx_vnni"] = AvxVnni.IsSupported,
        ["avx10v1"] = Avx10v1.IsSupported,
    };

    /// <summary>Short form for the machine line, e.g. "AVX2 AVX-512 VNNI".</summary>
    public static string Summary(JsonObject ext)
    {
        var parts = new List<string>();
        if (ext["avx2"]!.GetValue<bool>())
        {
            parts.Add("AVX2");
        }

        if (ext["avx512f"]!.GetValue<bool>())
        {
            parts.Add("AVX-512");
        }

        if (ext["avx512_vnni"]!.GetValue<bool>() || ext["avx_vnni"]!.GetValue<bool>())
        {
            parts.Add("VNNI");
        }

        return parts.Count == 0 ? "no AVX2" : string.Join(' ', parts);
    }

    private static HashSet<string> ProcFlags()
    {
        var line = ProcCpuInfo().FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? [] : [.. line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static string[] ProcCpuInfo()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToArray();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
