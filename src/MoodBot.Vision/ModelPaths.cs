namespace MoodBot.Vision;

internal static class ModelPaths
{
    /// <summary>Relative model paths resolve against the binary's folder, so the bot runs from any working directory.</summary>
    public static string Resolve(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
}
