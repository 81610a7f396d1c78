namespace MoodBot.Music;

internal static class GenreNames
{
    /// <summary>Matching key: case- and separator-insensitive, so "Indie-Pop", "indie_pop" and "indie pop" are one genre.</summary>
    public static string Normalize(string genre)
    {
        ArgumentNullException.ThrowIfNull(genre);
        var chars = genre.Trim().ToLowerInvariant().Replace('-', ' ').Replace('_', ' ');
        return string.Join(' ', chars.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
