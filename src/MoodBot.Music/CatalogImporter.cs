using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MoodBot.Core;

namespace MoodBot.Music;

/// <summary>What an import did. Re-importing the same file gives Inserted = Updated = 0.</summary>
public sealed record CatalogImportReport(
    string File,
    string Layout,
    int Rows,
    int Accepted,
    int Rejected,
    long Inserted,
    long Updated,
    long Unchanged,
    IReadOnlyDictionary<string, int> RejectedBy,
    IReadOnlyList<string> Examples,
    TimeSpan Elapsed,
    long CatalogSize);

/// <summary>
/// Streams a CSV into the catalog in batches, one transaction each: memory is one batch plus a compact set of the ids seen
/// (about 40 bytes a row) for in-file de-duplication. Rows are upserted, so a re-import is a no-op.
/// </summary>
public sealed class CatalogImporter(ITrackCatalog catalog, ILogger<CatalogImporter> logger)
{
    public const int DefaultBatchSize = 5000;

    public async Task<CatalogImportReport> ImportAsync(string path, CancellationToken cancellationToken, int batchSize = DefaultBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var sw = Stopwatch.StartNew();
        var before = await catalog.CountAsync(cancellationToken);
        using var reader = CatalogCsv.Open(path);
        Log.ImportStarted(logger, Path.GetFileName(path), reader.Layout);

        var seen = new HashSet<IdKey>();
        var rejectedBy = new Dictionary<string, int>(StringComparer.Ordinal);
        var examples = new List<string>();
        var batch = new List<Track>(batchSize);
        int rows = 0, accepted = 0, rejected = 0;
        long changed = 0;
        foreach (var record in reader.Records())
        {
            rows++;
            var reason = record.Rejection;
            if (record.Track is { } t && !seen.Add(IdKey.From(t.Id)))
            {
                // First occurrence wins, as in the merged catalog: later duplicates are usually the same song in another playlist.
                reason = "duplicate id in file";
            }

            if (reason is not null)
            {
                rejected++;
                var seenBefore = rejectedBy.GetValueOrDefault(reason);
                rejectedBy[reason] = seenBefore + 1;
                if (examples.Count < 10 && seenBefore < 3)
                {
                    examples.Add($"line {record.Line}: {reason}");
                }

                continue;
            }

            accepted++;
            batch.Add(record.Track!);
            if (batch.Count == batchSize)
            {
                changed += await catalog.UpsertAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            changed += await catalog.UpsertAsync(batch, cancellationToken);
        }

        var after = await catalog.CountAsync(cancellationToken);
        var inserted = after - before;
        var report = new CatalogImportReport(Path.GetFileName(path), reader.Layout, rows, accepted, rejected, inserted,
            Math.Max(0, changed - inserted), accepted - changed, rejectedBy, examples, sw.Elapsed, after);
        Log.ImportFinished(logger, report.File, rows, accepted, rejected, inserted, report.Updated, sw.Elapsed.TotalSeconds);
        return report;
    }

    /// <summary>A Spotify id packed into 17 bytes instead of a 22-char string (~70 bytes), so a 1M-row file dedupes in ~40 MB.</summary>
    private readonly record struct IdKey(UInt128 Head, byte Tail)
    {
        public static IdKey From(string id)
        {
            UInt128 head = 0;
            for (var i = 0; i < 21; i++)
            {
                head = (head * 62) + Digit(id[i]);
            }

            return new IdKey(head, (byte)Digit(id[21]));
        }

        private static uint Digit(char c) => c switch
        {
            >= '0' and <= '9' => (uint)(c - '0'),
            >= 'A' and <= 'Z' => (uint)(c - 'A' + 10),
            _ => (uint)(c - 'a' + 36),
        };
    }
}
