using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace MoodBot.Storage;

/// <summary>
/// Brings the database up to the latest EF Core migration once per process (at host start, or lazily on the first store
/// call for CLI verbs that never start the host). Several instances starting together are safe:
/// <list type="bullet">
/// <item>SQLite: EF Core's own migrations lock (the <c>__EFMigrationsLock</c> row) is held for the whole run.</item>
/// <item>PostgreSQL: EF's lock there (Npgsql's <c>LOCK TABLE "__EFMigrationsHistory"</c>) lives only as long as one
/// migration's transaction, and EF plans the whole list before the first: with two or more pending migrations, a second
/// instance re-applies one the first has just committed (seen in MigrationTests). So the run is wrapped in a
/// session-level advisory lock: one instance migrates, the others wait and then find nothing to do.</item>
/// </list>
/// </summary>
/// <remarks>
/// Databases made by MoodBot's first release have the same tables as <c>InitialCreate</c> but no migrations history (the
/// schema came from the model's create script, recorded in <c>moodbot_schema</c>). They are baselined: the history table is
/// created with <c>InitialCreate</c> marked applied, then the later migrations run as usual.
/// </remarks>
public sealed class StorageMigrator(IDbContextFactory<MoodBotDbContext> factory, TimeProvider time, ILogger<StorageMigrator> logger) : IDisposable
{
    /// <summary>The table the first release kept its schema version in; its presence marks a pre-migrations database.</summary>
    internal const string LegacySchemaTable = "moodbot_schema";

    // Any constant works; it only has to be the same for every MoodBot instance sharing a PostgreSQL database.
    private const long MigrationLockKey = 0x4D6F6F64426F74;

    private readonly SemaphoreSlim _once = new(1, 1);
    private volatile bool _ready;

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _once.WaitAsync(cancellationToken);
        try
        {
            if (!_ready)
            {
                await MigrateAsync(cancellationToken);
                _ready = true;
            }
        }
        finally
        {
            _once.Release();
        }
    }

    public void Dispose() => _once.Dispose();

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var sqlite = db.Database.IsSqlite();
        var provider = sqlite ? "Sqlite" : "Postgres";
        // Opened here so EF's migrator reuses this very connection, the one holding the advisory lock.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            if (sqlite)
            {
                // WAL lets the bot read while `moodbot catalog import` writes; the mode is stored in the file.
                await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
            }
            else
            {
                // Waits as long as another instance migrates (no command timeout); shutdown cancels the wait.
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({MigrationLockKey});", cancellationToken, timeoutSeconds: 0);
            }

            try
            {
                if (await BaselineLegacyAsync(db, sqlite, cancellationToken) is { } baselined)
                {
                    Log.LegacyDatabaseBaselined(logger, provider, baselined);
                }

                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                if (!sqlite)
                {
                    await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({MigrationLockKey});", CancellationToken.None);
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        var latest = db.Database.GetMigrations().LastOrDefault() ?? "-";
        Log.DatabaseMigrated(logger, provider, latest, time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Marks <c>InitialCreate</c> applied on a first-release database; returns its id when it did.</summary>
    private static async Task<string?> BaselineLegacyAsync(MoodBotDbContext db, bool sqlite, CancellationToken cancellationToken)
    {
        var history = db.GetService<IHistoryRepository>();
        // On SQLite, Microsoft.Data.Sqlite begins with BEGIN IMMEDIATE: the write lock, taken now, so a second instance
        // waits here and then sees the history table. On PostgreSQL the advisory lock already serialises instances.
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var dbTx = tx.GetDbTransaction();
        if (!await TableExistsAsync(connection, dbTx, LegacySchemaTable, sqlite, cancellationToken) ||
            await TableExistsAsync(connection, dbTx, HistoryRepository.DefaultTableName, sqlite, cancellationToken))
        {
            return null;
        }

        var initial = db.Database.GetMigrations().First();
        await ExecuteAsync(connection, dbTx, history.GetCreateIfNotExistsScript(), cancellationToken);
        await ExecuteAsync(connection, dbTx, history.GetInsertScript(new HistoryRow(initial, ProductInfo.GetVersion())), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return initial;
    }

    private static async Task<bool> TableExistsAsync(DbConnection connection, DbTransaction tx, string table, bool sqlite, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @name";
        var p = cmd.CreateParameter();
        p.ParameterName = "@name";
        p.Value = table;
        cmd.Parameters.Add(p);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken,
        int? timeoutSeconds = null)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        if (timeoutSeconds is { } t)
        {
            cmd.CommandTimeout = t;
        }

        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
