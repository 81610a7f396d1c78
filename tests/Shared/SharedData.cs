using System.Runtime.CompilerServices;

namespace MoodBot.Tests;

/// <summary>
/// Locates the read-only <c>shared/</c> folder beside the repository (datasets, photos, API specs).
/// In CI (<c>CI=true</c>) a missing folder fails the test loudly; elsewhere the test is skipped with the reason.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>Full path of <paramref name="relative"/> under shared/, or skips/fails the calling test.</summary>
    public static string Path(string relative, [CallerMemberName] string caller = "")
    {
        var root = Root.Value;
        var full = root is null ? null : System.IO.Path.Combine(root, relative);
        if (full is not null && (File.Exists(full) || Directory.Exists(full)))
        {
            return full;
        }

        var reason = $"{caller}: needs ../shared/{relative} (the project's read-only reference data beside the repository), which is missing.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI=true and shared data is missing: " + reason);
        }

        Assert.Skip(reason);
        return null!;
    }

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("MOODBOT_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env))
        {
            return env;
        }

        // Walk up from the test binary until a folder has a sibling 'shared' (repo/../shared).
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MoodBot.sln")))
            {
                var candidate = System.IO.Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
