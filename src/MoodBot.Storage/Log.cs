using Microsoft.Extensions.Logging;

namespace MoodBot.Storage;

/// <summary>All log messages of the storage layer (event ids 3000-3099). Tokens and verifiers are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Database schema version {Version} created ({Provider})")]
    public static partial void SchemaCreated(ILogger logger, string provider, int version);

    [LoggerMessage(3001, LogLevel.Information, "Storage: {Provider} at {Location}")]
    public static partial void StorageSelected(ILogger logger, string provider, string location);
}
