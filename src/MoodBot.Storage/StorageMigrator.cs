using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Storage;

/// <summary>
/// Brings the database up to the latest EF Core migration once per process (at host start, or lazily on the first store
/// call for CLI verbs that never start the host).
/// <list type="bullet">
/// <item>Nothing pending (every start but the first after an upgrade): no lock is taken at all, so a start can never wait
/// behind a lock left by a killed process.</item>
/// <item>Something pending: migrators are serialised by a lock that dies with its holder (SQLite: an flock on
/// <c>&lt;database&gt;.migrate.lock</c>; PostgreSQL: a session advisory lock), waited for at most
/// <c>MigrationLockTimeout</c>. Holding it, any EF <c>__EFMigrationsLock</c> row left by a killed migrator is stale and
/// removed before EF takes its own. On PostgreSQL EF's lock (<c>LOCK TABLE "__EFMigrationsHistory"</c>) lives only as
/// long as one migration's transaction, and EF plans the whole list before the first, so without the advisory lock a
/// second instance re-applied a migration the first had just committed (seen in MigrationTests).</item>
/// </list>
/// </summary>
/// <remarks>
/// Databases made by MoodBot's first release have the same tables as <c>InitialCreate</c> but no migrations history (the
/// schema came from the model's create script, recorded in <c>moodbot_schema</c>). They are baselined: the history table is
/// created with <c>InitialCreate</c> marked applied, then the later migrations run as usual.
/// </remarks>
public sealed class StorageMigrator(IDbContextFactory<MoodBotDbContext> factory, TimeProvider time, ILogger<StorageMigrator> logger,
    IOptions<StorageOptions>? options = null) : IDisposable
{
    /// <summary>The table the first release kept its schema version in; its presence marks a pre-migrations database.</summary>
    internal const string LegacySchemaTable = "moodbot_schema";

    /// <summary>EF Core's SQLite migrations lock: one row while a migrator runs, left behind when its process dies.</summary>
    internal const string EfLockTable = "__EFMigrationsLock";

    // Any constant works; it only has to be the same for every MoodBot instance sharing a PostgreSQL database.
    internal const long MigrationLockKey = 0x4D6F6F64426F74;

    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(100);

    private readonly TimeSpan _lockTimeout = options?.Value.MigrationLockTimeout ?? StorageOptions.DefaultMigrationLockTimeout;
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
        var migrated = false;
        try
        {
            var connection = db.Database.GetDbConnection();
            if (sqlite)
            {
                // WAL lets the bot read while `moodbot catalog import` writes; the mode is stored in the file.
                await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
            }

            // The common start has nothing to migrate: decide that without any lock. EF's MigrateAsync takes its lock row
            // even then, and a process killed (or stopped by SIGTERM) while holding it wedged every later start.
            if (await HasPendingAsync(db, connection, sqlite, cancellationToken))
            {
                await using (await AcquireMigrationLockAsync(connection, sqlite, cancellationToken))
                {
                    if (sqlite)
                    {
                        await ClearStaleEfLockAsync(connection, cancellationToken);
                    }

                    if (await BaselineLegacyAsync(db, sqlite, cancellationToken) is { } baselined)
                    {
                        Log.LegacyDatabaseBaselined(logger, provider, baselined);
                    }

                    await db.Database.MigrateAsync(cancellationToken);
                    migrated = true;
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        var latest = db.Database.GetMigrations().LastOrDefault() ?? "-";
        Log.DatabaseMigrated(logger, provider, latest, migrated ? "migrated" : "up to date", time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>A fresh database (no history table) has everything pending; asked first so EF does not log a failed query.</summary>
    private static async Task<bool> HasPendingAsync(MoodBotDbContext db, DbConnection connection, bool sqlite, CancellationToken cancellationToken)
    {
        var exists = await TableExistsAsync(connection, null, HistoryRepository.DefaultTableName, sqlite, cancellationToken);
        return !exists || (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any();
    }

    /// <summary>
    /// The lock that serialises migrators, released by the operating system or the server when its holder dies:
    /// SQLite: an exclusive lock on <c>&lt;database&gt;.migrate.lock</c> beside the file (flock: gone with the process);
    /// PostgreSQL: a session advisory lock (gone with the connection). Waiting is bounded by
    /// <see cref="StorageOptions.MigrationLockTimeout"/>.
    /// </summary>
    private async Task<IAsyncDisposable> AcquireMigrationLockAsync(DbConnection connection, bool sqlite, CancellationToken cancellationToken)
    {
        // Real time, not the injected clock: this waits for another process, and a test's frozen clock would never end it.
        var wall = TimeProvider.System;
        var waitStarted = wall.GetTimestamp();
        var where = sqlite ? ((SqliteConnection)connection).DataSource : $"{connection.DataSource}/{connection.Database}";
        while (true)
        {
            var held = sqlite ? TryLockFile(((SqliteConnection)connection).DataSource) : await TryAdvisoryLockAsync(connection, cancellationToken);
            if (held is not null)
            {
                return held;
            }

            if (wall.GetElapsedTime(waitStarted) >= _lockTimeout)
            {
                throw new StartupFailureException(string.Create(CultureInfo.InvariantCulture,
                    $"Timed out after {_lockTimeout.TotalSeconds:F0} s waiting for the migration lock on {where}: another MoodBot instance is migrating this database. Wait for it to finish, or stop it and start again (MoodBot:Storage:MigrationLockTimeout)."));
            }

            await Task.Delay(LockPoll, wall, cancellationToken);
        }

        IAsyncDisposable? TryLockFile(string dataSource)
        {
            if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                // An in-memory database has no other process to race with.
                return new Released(() => ValueTask.CompletedTask);
            }

            try
            {
                // FileShare.None is an exclusive flock on Unix: the kernel drops it when the process dies, kill -9 included.
                var stream = new FileStream(dataSource + ".migrate.lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new Released(() => stream.DisposeAsync());
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && e.GetType() == typeof(IOException))
            {
                return null;
            }
        }

        async Task<IAsyncDisposable?> TryAdvisoryLockAsync(DbConnection c, CancellationToken ct)
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT pg_try_advisory_lock({MigrationLockKey});";
            if (await cmd.ExecuteScalarAsync(ct) is not true)
            {
                return null;
            }

            return new Released(async () =>
            {
                if (c.State == System.Data.ConnectionState.Open)
                {
                    await ExecuteAsync(c, null, $"SELECT pg_advisory_unlock({MigrationLockKey});", CancellationToken.None);
                }
            });
        }
    }

    /// <summary>
    /// Removes EF's SQLite lock row when one is there. Called only while holding <see cref="AcquireMigrationLockAsync"/>,
    /// which every MoodBot migrator takes before EF's row: a row seen now belongs to a migrator that died.
    /// </summary>
    private async Task ClearStaleEfLockAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{EfLockTable}'";
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            return;
        }

        await using var delete = connection.CreateCommand();
        delete.CommandText = $"DELETE FROM \"{EfLockTable}\"";
        var removed = await delete.ExecuteNonQueryAsync(cancellationToken);
        if (removed > 0)
        {
            Log.StaleMigrationLockCleared(logger, ((SqliteConnection)connection).DataSource);
        }
    }

    private sealed class Released(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
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

    private static async Task<bool> TableExistsAsync(DbConnection connection, DbTransaction? tx, string table, bool sqlite, CancellationToken cancellationToken)
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
