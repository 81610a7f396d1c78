using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Music;

public enum CatalogSeedState
{
    /// <summary>Seeding is turned off (<c>MoodBot:Music:SeedCatalog=false</c>) or there is no database.</summary>
    Off,

    /// <summary>Not started yet.</summary>
    Pending,

    /// <summary>Reading the shipped file or writing it to the database.</summary>
    Seeding,

    /// <summary>Done: this run seeded the catalog, or it already had tracks.</summary>
    Ready,

    /// <summary>The file is missing or unreadable, or the database refused; recommendations use what there is.</summary>
    Failed,
}

/// <summary>Where seeding stands, for /readyz and the no-tracks reply.</summary>
public sealed record CatalogSeedStatus(CatalogSeedState State, long Written, int Total, string Detail);

/// <summary>
/// Fills an empty catalog from the shipped file (<see cref="MusicOptions.SeedCatalogPath"/>) once per process: the bot
/// does it in the background at start (members are answered meanwhile), CLI verbs await it before they recommend.
/// Instances sharing a database seed it once between them (<see cref="ICatalogSeeding"/>). Singleton; thread-safe.
/// </summary>
public sealed class CatalogSeeder
{
    private readonly MusicOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CatalogSeeder> _logger;
    private readonly ICatalogSeeding? _seeding;
    private readonly Lock _lock = new();
    private Task? _run;
    private volatile CatalogSeedStatus _status;
    private long _written;
    private int _generation;

    public CatalogSeeder(IOptions<MusicOptions> options, TimeProvider time, ILogger<CatalogSeeder> logger, ICatalogSeeding? seeding = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _seeding = seeding;
        _status = _options.SeedCatalog && seeding is not null
            ? new CatalogSeedStatus(CatalogSeedState.Pending, 0, 0, "not started")
            : new CatalogSeedStatus(CatalogSeedState.Off, 0, 0, seeding is null ? "no database" : "turned off (MoodBot:Music:SeedCatalog)");
    }

    public CatalogSeedStatus Status => _status.State == CatalogSeedState.Seeding ? _status with { Written = Interlocked.Read(ref _written) } : _status;

    /// <summary>Bumped when a seed run ends, so the recommender rebuilds an index it may have built from a part-filled catalog.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>The full path of the file seeding reads.</summary>
    public string SeedPath => Path.IsPathRooted(_options.SeedCatalogPath)
        ? _options.SeedCatalogPath
        : Path.Combine(AppContext.BaseDirectory, _options.SeedCatalogPath);

    /// <summary>Runs the seed once (later callers share the first run); never throws except for cancellation.</summary>
    /// <param name="background">The bot, serving members meanwhile (the seed makes room for their writes); false: a CLI verb waiting for it.</param>
    public Task EnsureAsync(CancellationToken cancellationToken, bool background = false)
    {
        if (_status.State == CatalogSeedState.Off)
        {
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            // A run cancelled by its caller (a CLI verb interrupted) may be retried by the next one.
            if (_run is null || _run.IsCanceled)
            {
                _run = RunAsync(background, cancellationToken);
            }

            return _run;
        }
    }

    private async Task RunAsync(bool background, CancellationToken cancellationToken)
    {
        // Off the caller's thread at once: host start and the first interaction must not wait for the file read.
        await Task.Yield();
        var started = _time.GetTimestamp();
        var path = SeedPath;
        if (!File.Exists(path))
        {
            Finish(CatalogSeedState.Failed, $"no shipped catalog at {path}");
            Log.SeedFileMissing(_logger, path);
            return;
        }

        try
        {
            _status = new CatalogSeedStatus(CatalogSeedState.Seeding, 0, 0, "reading " + Path.GetFileName(path));
            var tracks = ShippedCatalog.Read(path);
            _status = new CatalogSeedStatus(CatalogSeedState.Seeding, 0, tracks.Count, "seeding the shipped catalog");
            var progress = new Progress(this);
            var result = await _seeding!.SeedIfEmptyAsync(tracks, progress, background, cancellationToken);
            var seconds = _time.GetElapsedTime(started).TotalSeconds;
            if (result.Seeded)
            {
                Log.CatalogSeeded(_logger, result.Written, result.CatalogSize, seconds);
                Finish(CatalogSeedState.Ready, $"seeded {result.Written} shipped tracks; catalog has {result.CatalogSize}", result.Written, tracks.Count);
            }
            else
            {
                Log.SeedNotNeeded(_logger, result.CatalogSize);
                Finish(CatalogSeedState.Ready, $"catalog has {result.CatalogSize} tracks", 0, tracks.Count);
            }
        }
        catch (OperationCanceledException)
        {
            Finish(CatalogSeedState.Pending, "interrupted; the next start finishes it");
            throw;
        }
        catch (ObjectDisposedException)
        {
            // The host is being torn down under the seed (a start that failed on its port, say): the same as being
            // cancelled, and no warning with an exception name beside the one-line start-up failure.
            Finish(CatalogSeedState.Pending, "interrupted; the next start finishes it");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            Finish(CatalogSeedState.Failed, $"cannot read {path}: {e.Message}");
            Log.SeedFailed(_logger, e.GetType().Name + ": " + e.Message);
        }
        catch (Exception e)
        {
            // The database refused (down, read-only, …): the bot still answers from what it has, and says so in /readyz.
            Finish(CatalogSeedState.Failed, $"database refused the seed ({e.GetType().Name})");
            Log.SeedFailed(_logger, e.GetType().Name + ": " + e.Message);
        }
    }

    private void Finish(CatalogSeedState state, string detail, long written = 0, int total = 0)
    {
        _status = new CatalogSeedStatus(state, written, total, detail);
        Interlocked.Increment(ref _generation);
    }

    private sealed class Progress(CatalogSeeder owner) : IProgress<long>
    {
        public void Report(long value) => Interlocked.Exchange(ref owner._written, value);
    }
}
