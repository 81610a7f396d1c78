using System.Data;
using System.Data.Common;
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
    : ITrackCatalog
{
    private const int Columns = 10;
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

        // One statement may not touch a row twice (PostgreSQL refuses); the last occurrence in the batch wins.
        var unique = new Dictionary<string, Track>(tracks.Count, StringComparer.Ordinal);
        foreach (var t in tracks)
        {
            unique[t.Id] = t;
        }

        var rows = unique.Values.ToList();
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var sqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            if (sqlite)
            {
                // In WAL mode NORMAL syncs at checkpoints instead of every commit: a crash can lose the last batches of an
                // import (re-run it; it is idempotent) but never corrupts the file. Per connection; the pool resets nothing else.
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA synchronous=NORMAL;";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
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

            await tx.CommitAsync(cancellationToken);
            return affected;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
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
