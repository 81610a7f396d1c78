using Microsoft.Extensions.Logging;

namespace MoodBot.Music;

/// <summary>All log messages of the music stage (event ids 2000-2099).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Catalog import of {File} started (layout {Layout})")]
    public static partial void ImportStarted(ILogger logger, string file, string layout);

    [LoggerMessage(2001, LogLevel.Information,
        "Catalog import of {File}: {Rows} rows, {Accepted} accepted, {Rejected} rejected, {Inserted} new, {Updated} changed in {Seconds:0.0} s")]
    public static partial void ImportFinished(ILogger logger, string file, int rows, int accepted, int rejected, long inserted, long updated, double seconds);

    [LoggerMessage(2002, LogLevel.Information, "Track index built: {Tracks} tracks in {Milliseconds:0} ms")]
    public static partial void IndexBuilt(ILogger logger, int tracks, double milliseconds);

    [LoggerMessage(2003, LogLevel.Warning, "Catalog unavailable ({Reason}); recommending by genre instead")]
    public static partial void CatalogUnavailable(ILogger logger, string reason);

    [LoggerMessage(2004, LogLevel.Warning, "Genre search for {Genre} failed; skipping that genre")]
    public static partial void GenreSearchFailed(ILogger logger, Exception exception, string genre);

    [LoggerMessage(2005, LogLevel.Warning, "Recommendation history unavailable; repeats are possible")]
    public static partial void HistoryUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(2006, LogLevel.Debug, "Recommended {Count} tracks from {Source} in {Milliseconds:0.00} ms")]
    public static partial void Recommended(ILogger logger, int count, string source, double milliseconds);

    [LoggerMessage(2007, LogLevel.Information, "Catalog seeded from the shipped file: {Written} tracks written, catalog now {Tracks} tracks, in {Seconds:0.0} s")]
    public static partial void CatalogSeeded(ILogger logger, long written, long tracks, double seconds);

    [LoggerMessage(2008, LogLevel.Information, "Catalog already has {Tracks} tracks; the shipped catalog was not loaded")]
    public static partial void SeedNotNeeded(ILogger logger, long tracks);

    [LoggerMessage(2009, LogLevel.Warning, "No shipped catalog at {Path} (MoodBot:Music:SeedCatalogPath); import one with `moodbot catalog import <csv>`")]
    public static partial void SeedFileMissing(ILogger logger, string path);

    [LoggerMessage(2010, LogLevel.Warning, "Seeding the catalog failed ({Reason}); recommendations use what the catalog has")]
    public static partial void SeedFailed(ILogger logger, string reason);

    [LoggerMessage(2011, LogLevel.Information, "Music sources, in order: {Sources}")]
    public static partial void SourceOrder(ILogger logger, string sources);

    [LoggerMessage(2012, LogLevel.Warning, "Spotify recommendations failed ({Reason}); using the catalog")]
    public static partial void SpotifyRecommendationsFailed(ILogger logger, string reason);

    [LoggerMessage(2013, LogLevel.Warning, "Audio features for catalog tracks unavailable ({Reason}); showing the catalog's own")]
    public static partial void EnrichmentFailed(ILogger logger, string reason);
}
