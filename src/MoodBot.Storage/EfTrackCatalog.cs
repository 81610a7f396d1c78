using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Storage;

/// <summary>
/// The catalog table. Reads go through EF; the bulk upsert is hand-written SQL (multi-row INSERT … ON CONFLICT DO UPDATE …
/// WHERE changed) because EF's change tracker costs ~50× more per row and cannot skip identical rows, which is what makes a
/// re-import a no-op and lets it report how many rows really changed.
/// </summary>
public sealed class EfTrackCatalog(IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema, IOptions<StorageOptions> options)
    : ITrackCatalog, ICatalogSeeding
{
    /// <summary>Rows per transaction when seeding SQLite: short enough that a claim or cooldown write waits ~0.1 s at most.</summary>
    internal const int SeedBatchRows = 1000;

    private const int Columns = 10;

    // Any constant; the same for every instance sharing a PostgreSQL database (not the migration lock's key).
    private const long SeedLockKey = 0x4D6F6F6453656564;

    private static readonly TimeSpan SeedLockPoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SeedMinPause = TimeSpan.FromMilliseconds(250);

    // Hosts in one process (tests, CLI verbs) share the lock file; flock would refuse the second open, so they queue here.
    private static readonly SemaphoreSlim SqliteSeedGate = new(1, 1);
    private const char ListSeparator = ';';

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.CatalogTracks.LongCountAsync(cancellationToken);
    }

    public async IAsyncEnumerable<Track> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await foreach (var row in db.CatalogTracks.AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return ToTrack(row);
        }
    }

    public async Task<IReadOnlyList<Track>> GetAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var list = ids.ToList();
        var rows = await db.CatalogTracks.AsNoTracking().Where(t => list.Contains(t.Id)).ToListAsync(cancellationToken);
        return rows.Select(ToTrack).ToList();
    }

    public async Task<int> UpsertAsync(IReadOnlyList<Track> tracks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        if (tracks.Count == 0)
        {
            return 0;
        }

        var rows = Unique(tracks);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var sqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            if (sqlite)
            {
                await RelaxSyncAsync(connection, cancellationToken);
            }

            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var affected = await UpsertRowsAsync(connection, tx, rows, sqlite, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return affected;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <remarks>
    /// PostgreSQL: one transaction under a transaction-level advisory lock. A second instance waits on the lock, then
    /// finds the rows (READ COMMITTED: each statement sees what committed before it), so exactly one writes them; other
    /// writers (claims, cooldowns) touch other tables and never wait for it.
    /// SQLite has a single writer for the whole file, and interaction claims and cooldowns are written before the
    /// deferral: one long transaction would hold those up for seconds. So the rows go in batches of
    /// <see cref="SeedBatchRows"/>, and the once-only rule comes from a lock file beside the database (flock via
    /// <see cref="FileShare.None"/>; the OS drops it if the process dies) plus an in-process gate. A seed cut short
    /// (the bot stopped during its first start) is finished by the next one.
    /// </remarks>
    public async Task<CatalogSeedResult> SeedIfEmptyAsync(IReadOnlyList<Track> tracks, IProgress<long>? progress, bool background,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        var rows = Unique(tracks);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return new CatalogSeedResult(false, 0, await db.CatalogTracks.LongCountAsync(cancellationToken));
        }

        if (!db.Database.IsSqlite())
        {
            return await SeedPostgresAsync(db, rows, progress, cancellationToken);
        }

        await SqliteSeedGate.WaitAsync(cancellationToken);
        try
        {
            using var fileLock = await LockFileAsync(db.Database.GetConnectionString(), cancellationToken);
            return await SeedSqliteAsync(db, rows, progress, background, cancellationToken);
        }
        finally
        {
            SqliteSeedGate.Release();
        }
    }

    private async Task<CatalogSeedResult> SeedPostgresAsync(MoodBotDbContext db, List<Track> rows, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCmd = connection.CreateCommand())
            {
                lockCmd.Transaction = tx;
                lockCmd.CommandText = $"SELECT pg_advisory_xact_lock({SeedLockKey})";
                // Waits as long as another instance seeds; shutdown cancels the wait.
                lockCmd.CommandTimeout = 0;
                await lockCmd.ExecuteNonQueryAsync(cancellationToken);
            }

            var (needed, count) = await NeedsSeedAsync(connection, tx, rows, cancellationToken);
            if (!needed)
            {
                await tx.RollbackAsync(cancellationToken);
                return new CatalogSeedResult(false, 0, count);
            }

            var written = await UpsertRowsAsync(connection, tx, rows, sqlite: false, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            progress?.Report(rows.Count);
            return new CatalogSeedResult(true, written, await CountAsync(connection, null, cancellationToken));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<CatalogSeedResult> SeedSqliteAsync(MoodBotDbContext db, List<Track> rows, IProgress<long>? progress, bool background,
        CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            var (needed, count) = await NeedsSeedAsync(connection, null, rows, cancellationToken);
            if (!needed)
            {
                return new CatalogSeedResult(false, 0, count);
            }

            await RelaxSyncAsync(connection, cancellationToken);
            long written = 0;
            foreach (var batch in rows.Chunk(SeedBatchRows))
            {
                var started = Stopwatch.GetTimestamp();
                await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
                {
                    written += await UpsertRowsAsync(connection, tx, batch, sqlite: true, cancellationToken);
                    await tx.CommitAsync(cancellationToken);
                }

                progress?.Report(written);
                if (background)
                {
                    // SQLite grants the lock to whoever asks at the right moment, not to whoever waited longest, and a
                    // busy writer (a claim, a cooldown) re-polls on a timer: a seed that re-took the lock at once would
                    // starve it for the whole seed (measured: a deferral held 8 s). A pause at least as long as the
                    // batch, and longer than such a poll interval, guarantees each waiter a free moment.
                    var pause = Stopwatch.GetElapsedTime(started);
                    await Task.Delay(pause > SeedMinPause ? pause : SeedMinPause, cancellationToken);
                }
            }

            return new CatalogSeedResult(true, written, await CountAsync(connection, null, cancellationToken));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Empty, or a seed from this list cut short: its first track is there and its last is not.</summary>
    private static async Task<(bool Needed, long Count)> NeedsSeedAsync(DbConnection connection, DbTransaction? tx, List<Track> rows,
        CancellationToken cancellationToken)
    {
        var count = await CountAsync(connection, tx, cancellationToken);
        if (count == 0)
        {
            return (true, 0);
        }

        var first = await ExistsAsync(connection, tx, rows[0].Id, cancellationToken);
        var last = await ExistsAsync(connection, tx, rows[^1].Id, cancellationToken);
        return (first && !last, count);
    }

    private static async Task<long> CountAsync(DbConnection connection, DbTransaction? tx, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT COUNT(*) FROM catalog_tracks";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<bool> ExistsAsync(DbConnection connection, DbTransaction? tx, string id, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT COUNT(*) FROM catalog_tracks WHERE id = @p0";
        Add(cmd, 0, DbType.String, id);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>An exclusive lock on <c>&lt;database&gt;.seed-lock</c>, waited for; null for an in-memory database.</summary>
    private static async Task<FileStream?> LockFileAsync(string? connectionString, CancellationToken cancellationToken)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.Memory)
        {
            return null;
        }

        var path = Path.GetFullPath(builder.DataSource) + ".seed-lock";
        while (true)
        {
            try
            {
                // Never deleted: unlinking a lock file while another process waits on it would let two processes lock
                // two different files of the same name.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                // Another process (or host in this one) is seeding the same file.
                await Task.Delay(SeedLockPoll, cancellationToken);
            }
        }
    }

    // In WAL mode NORMAL syncs at checkpoints instead of every commit: a crash can lose the last batches of an import
    // (re-run it; it is idempotent) but never corrupts the file. Per connection; the pool resets nothing else.
    private static async Task RelaxSyncAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }

    // One statement may not touch a row twice (PostgreSQL refuses); the last occurrence in the batch wins.
    private static List<Track> Unique(IReadOnlyList<Track> tracks)
    {
        var unique = new Dictionary<string, Track>(tracks.Count, StringComparer.Ordinal);
        foreach (var t in tracks)
        {
            unique[t.Id] = t;
        }

        return unique.Values.ToList();
    }

    private async Task<int> UpsertRowsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<Track> rows, bool sqlite, CancellationToken cancellationToken)
    {
        var perStatement = options.Value.ImportRowsPerStatement;
        var affected = 0;
        string? fullSql = null;
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            var n = Math.Min(perStatement, rows.Count - start);
            var sql = n == perStatement ? fullSql ??= UpsertSql(n, sqlite) : UpsertSql(n, sqlite);
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            for (var i = 0; i < n; i++)
            {
                AddRow(cmd, i, rows[start + i]);
            }

            affected += await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        return affected;
    }

    internal static Track ToTrack(CatalogTrackRow r) =>
        new(r.Id, r.Name, Split(r.Artists), Split(r.Genres), r.Popularity, r.Valence, r.Energy)
        {
            Danceability = r.Danceability,
            Acousticness = r.Acousticness,
            Tempo = r.Tempo,
        };

    private static string[] Split(string joined) =>
        joined.Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string UpsertSql(int rows, bool sqlite)
    {
        string[] cols = ["id", "name", "artists", "genres", "popularity", "valence", "energy", "danceability", "acousticness", "tempo"];
        var sb = new StringBuilder("INSERT INTO catalog_tracks (").AppendJoin(", ", cols).Append(") VALUES ");
        for (var i = 0; i < rows; i++)
        {
            sb.Append(i == 0 ? "(" : ", (");
            for (var c = 0; c < Columns; c++)
            {
                sb.Append(c == 0 ? "@p" : ", @p").Append((i * Columns) + c);
            }

            sb.Append(')');
        }

        // A file without genres or audio features (data_moods has no genre column) must not erase what another file supplied.
        static string NewValue(string c) => c switch
        {
            "genres" => "CASE WHEN excluded.genres = '' THEN catalog_tracks.genres ELSE excluded.genres END",
            "danceability" or "acousticness" or "tempo" => $"COALESCE(excluded.{c}, catalog_tracks.{c})",
            _ => $"excluded.{c}",
        };

        sb.Append(" ON CONFLICT (id) DO UPDATE SET ").AppendJoin(", ", cols.Skip(1).Select(c => $"{c} = {NewValue(c)}"));

        // Only rows whose values differ are written (and counted): null-safe inequality in each dialect.
        if (sqlite)
        {
            sb.Append(" WHERE ").AppendJoin(" OR ", cols.Skip(1).Select(c => $"catalog_tracks.{c} IS NOT {NewValue(c)}"));
        }
        else
        {
            sb.Append(" WHERE (").AppendJoin(", ", cols.Skip(1).Select(c => $"catalog_tracks.{c}"))
                .Append(") IS DISTINCT FROM (").AppendJoin(", ", cols.Skip(1).Select(NewValue)).Append(')');
        }

        return sb.ToString();
    }

    private static void AddRow(DbCommand cmd, int row, Track t)
    {
        var b = row * Columns;
        Add(cmd, b, DbType.String, t.Id);
        Add(cmd, b + 1, DbType.String, t.Name);
        Add(cmd, b + 2, DbType.String, string.Join(ListSeparator, t.Artists));
        Add(cmd, b + 3, DbType.String, string.Join(ListSeparator, t.Genres));
        Add(cmd, b + 4, DbType.Int32, t.Popularity);
        Add(cmd, b + 5, DbType.Double, t.Valence);
        Add(cmd, b + 6, DbType.Double, t.Energy);
        Add(cmd, b + 7, DbType.Double, t.Danceability);
        Add(cmd, b + 8, DbType.Double, t.Acousticness);
        Add(cmd, b + 9, DbType.Double, t.Tempo);
    }

    private static void Add(DbCommand cmd, int index, DbType type, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = "@p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        p.DbType = type;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }
}
