using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using Npgsql;

namespace MoodBot.Storage;

/// <summary>
/// What start-up and <c>moodbot check-config</c> both ask of the database: it opens, it is a database, it is migrated and
/// it takes writes. Failures come back as one line naming the key and the place (never the connection string, which may
/// hold a password).
/// </summary>
public sealed class StorageProbe(IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema, IOptions<StorageOptions> options)
{
    private const string ProbeTable = "moodbot_write_probe";

    /// <summary>Migrates (as start-up does) and proves a write, throwing <see cref="StartupFailureException"/> when either fails.</summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await schema.EnsureAsync(cancellationToken);
            await CheckWritableAsync(cancellationToken);
        }
        catch (Exception e) when (Describe(e, options.Value) is { } line)
        {
            throw new StartupFailureException(line, e);
        }
    }

    /// <summary>
    /// The checks of <see cref="EnsureReadyAsync"/>, without migrating when <paramref name="migrate"/> is false (check-config
    /// only looks); null when the database is fine, else the problem in one line.
    /// </summary>
    public async Task<string?> FindProblemAsync(bool migrate, CancellationToken cancellationToken)
    {
        try
        {
            if (migrate)
            {
                await schema.EnsureAsync(cancellationToken);
            }

            await CheckWritableAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (Describe(e, options.Value) is { } line)
        {
            return line;
        }
    }

    /// <summary>Creates a table inside a transaction and rolls it back: needs exactly the rights the stores need.</summary>
    private async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync($"CREATE TABLE {ProbeTable} (x INTEGER)", cancellationToken);
        await tx.RollbackAsync(cancellationToken);
    }

    /// <summary>Where the database is, safe to print: the SQLite file, or PostgreSQL's host, port and database.</summary>
    public static string Location(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider == StorageProvider.Postgres)
        {
            try
            {
                var b = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                return $"PostgreSQL at {b.Host}:{b.Port}/{b.Database}";
            }
            catch (ArgumentException)
            {
                return "PostgreSQL (connection string not understood)";
            }
        }

        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? Path.GetFullPath(Path.IsPathRooted(options.SqlitePath) ? options.SqlitePath : Path.Combine(AppContext.BaseDirectory, options.SqlitePath))
            : new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
    }

    /// <summary>One line for a database failure at start; null when <paramref name="exception"/> is not one.</summary>
    public static string? Describe(Exception exception, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(options);
        var key = options.Provider == StorageProvider.Postgres || !string.IsNullOrWhiteSpace(options.ConnectionString)
            ? "MoodBot:Storage:ConnectionString"
            : "MoodBot:Storage:SqlitePath";
        var where = Location(options);
        return exception switch
        {
            StartupFailureException e => e.Message,
            SqliteException { SqliteErrorCode: 26 } =>
                $"{key}: {where} is not a SQLite database; point the key at MoodBot's database file, or move that file away and a new database is created.",
            SqliteException { SqliteErrorCode: 11 } =>
                $"{key}: {where} is corrupt (SQLite: database disk image is malformed); restore it from a backup or move it away.",
            SqliteException { SqliteErrorCode: 8 } =>
                $"{key}: {where} is read-only; give the bot's user write access to the file and its folder (SQLite writes -wal and -shm files beside it).",
            SqliteException { SqliteErrorCode: 14 } =>
                $"{key}: cannot open {where} (missing folder or no permission); check the path and that the bot's user may write there.",
            SqliteException e => $"{key}: SQLite error {e.SqliteErrorCode} on {where}: {e.Message.Split('\n')[0]}",
            PostgresException e => $"{key}: {where} refused: {e.MessageText} ({e.SqlState}); check the user, password, database name and grants.",
            NpgsqlException { InnerException: SocketException s } =>
                $"{key}: cannot reach {where} ({s.SocketErrorCode}); is the server running and the host and port right?",
            NpgsqlException { InnerException: TimeoutException } =>
                $"{key}: no answer from {where} within the connection timeout; is the server running and reachable?",
            NpgsqlException e => $"{key}: {where}: {e.Message.Split('\n')[0]}",
            DbException e => $"{key}: {where}: {e.Message.Split('\n')[0]}",
            UnauthorizedAccessException e => $"{key}: {where}: no permission ({e.Message}); the bot's user must be able to write that folder.",
            IOException e => $"{key}: {where}: {e.Message}",
            // EF's retrying execution strategy wraps the provider's exception ("likely due to a transient failure").
            InvalidOperationException { InnerException: { } inner } when Describe(inner, options) is { } line => line,
            ArgumentException e when options.Provider == StorageProvider.Postgres =>
                $"{key}: the PostgreSQL connection string is not valid ({e.Message.Split('\n')[0]}).",
            _ => null,
        };
    }
}
