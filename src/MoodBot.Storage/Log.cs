using Microsoft.Extensions.Logging;

namespace MoodBot.Storage;

/// <summary>All log messages of the storage layer (event ids 3000-3099). Tokens and verifiers are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Database ({Provider}) at migration {Migration} ({Outcome}) in {ElapsedMs:F0} ms")]
    public static partial void DatabaseMigrated(ILogger logger, string provider, string migration, string outcome, double elapsedMs);

    [LoggerMessage(3005, LogLevel.Warning, "Removed a migrations lock left by a stopped MoodBot process on {Database}")]
    public static partial void StaleMigrationLockCleared(ILogger logger, string database);

    [LoggerMessage(3002, LogLevel.Warning, "Database ({Provider}) predates migrations: marked {Migration} as applied")]
    public static partial void LegacyDatabaseBaselined(ILogger logger, string provider, string migration);

    [LoggerMessage(3003, LogLevel.Warning, "Pruning old interaction claims and cooldowns failed; next attempt in {Minutes} min")]
    public static partial void PruneFailed(ILogger logger, Exception exception, double minutes);

    [LoggerMessage(3004, LogLevel.Debug, "Pruned {Claims} interaction claims and {Cooldowns} expired cooldowns")]
    public static partial void Pruned(ILogger logger, int claims, int cooldowns);
}
