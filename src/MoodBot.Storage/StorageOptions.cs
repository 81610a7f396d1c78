using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MoodBot.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Configuration section <c>MoodBot:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "MoodBot:Storage";

    /// <summary><c>Sqlite</c> (default: one file, nothing to install) or <c>Postgres</c> (several instances share one database).</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>ADO.NET connection string. Required for Postgres; for Sqlite it overrides <see cref="SqlitePath"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite database file; a relative path resolves against the application's base directory (the data volume in the container).</summary>
    [Required]
    public string SqlitePath { get; set; } = "data/moodbot.db";

    /// <summary>History rows kept per member; older ones are pruned as new ones arrive.</summary>
    [Range(1, 10_000)]
    public int HistoryKeepPerUser { get; set; } = 50;

    public static readonly TimeSpan DefaultMigrationLockTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a start waits for another instance's migration before giving up with a message. Only starts with a
    /// migration pending wait at all; a lock whose holder died is released by the OS or server, never waited for.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MigrationLockTimeout { get; set; } = DefaultMigrationLockTimeout;

    /// <summary>Rows per multi-row INSERT in catalog imports (each batch still commits in one transaction).</summary>
    [Range(1, 500)]
    public int ImportRowsPerStatement { get; set; } = 100;
}

[OptionsValidator]
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

/// <summary>Cross-field rules the attributes cannot say.</summary>
public sealed class StorageOptionsRules : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail(
                "MoodBot:Storage:ConnectionString is required when MoodBot:Storage:Provider is Postgres (e.g. Host=db;Database=moodbot;Username=moodbot;Password=…).");
        }

        return ValidateOptionsResult.Success;
    }
}
