using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MoodBot.Storage;

/// <summary>
/// Creates the schema once per process, safely when several instances start together: the check-and-create runs inside a
/// database-level lock (SQLite: a <c>BEGIN IMMEDIATE</c> write transaction; PostgreSQL: a transaction-scoped advisory lock),
/// so the loser waits and then finds the tables there.
/// Why not EF migrations: the two providers would need two migration sets and <c>dotnet ef</c> in the build; while the schema
/// is at version 1 the model's own create script is the migration. A later version adds its ALTER steps in
/// <see cref="UpgradeAsync"/>, keyed by <c>moodbot_schema.version</c>.
/// </summary>
public sealed class StorageSchema(IDbContextFactory<MoodBotDbContext> factory, TimeProvider time, ILogger<StorageSchema> logger) : IDisposable
{
    public const int CurrentVersion = 1;

    // Any constant works; it only has to be the same for every MoodBot instance sharing a PostgreSQL database.
    private const long AdvisoryLockKey = 0x4D6F6F64426F74;

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
                await CreateAsync(cancellationToken);
                _ready = true;
            }
        }
        finally
        {
            _once.Release();
        }
    }

    public void Dispose() => _once.Dispose();

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var sqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            if (sqlite)
            {
                // WAL lets the bot read while `moodbot catalog import` writes; the mode is stored in the file.
                await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
            }

            // Microsoft.Data.Sqlite starts non-deferred transactions with BEGIN IMMEDIATE, taking the write lock now.
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            if (!sqlite)
            {
                await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey});", cancellationToken);
            }

            var exists = sqlite
                ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'moodbot_schema'"
                : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'moodbot_schema'";
            if (Convert.ToInt64(await ScalarAsync(connection, tx, exists, cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                await ExecuteAsync(connection, tx, db.Database.GenerateCreateScript(), cancellationToken);
                await ExecuteAsync(connection, tx,
                    $"INSERT INTO moodbot_schema (version, applied_at_ms) VALUES ({CurrentVersion}, {time.GetUtcNow().ToUnixTimeMilliseconds()});",
                    cancellationToken);
                Log.SchemaCreated(logger, sqlite ? "Sqlite" : "Postgres", CurrentVersion);
            }
            else
            {
                var version = Convert.ToInt32(await ScalarAsync(connection, tx, "SELECT MAX(version) FROM moodbot_schema", cancellationToken),
                    System.Globalization.CultureInfo.InvariantCulture);
                await UpgradeAsync(version, cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static Task UpgradeAsync(int version, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The database schema is version {version}, newer than this MoodBot ({CurrentVersion}); upgrade MoodBot.");
        }

        // Version 1 is the only one so far; future versions apply their steps here, inside the same lock.
        return Task.CompletedTask;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.CommandType = CommandType.Text;
        return await cmd.ExecuteScalarAsync(cancellationToken);
    }
}
