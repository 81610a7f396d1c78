using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Music;

/// <summary>
/// Recommends from the local catalog (an in-memory <see cref="TrackIndex"/> built from <see cref="ITrackCatalog"/>), and
/// without one from the genre profile table plus <see cref="IGenreTrackSearch"/>. Singleton; thread-safe.
/// </summary>
public sealed class CatalogRecommender : IRecommender, IDisposable
{
    public const string SourceCatalog = "catalog";
    public const string SourceGenreSearch = "genre-search";
    public const string SourceGenresOnly = "genres";

    private readonly MusicOptions _options;
    private readonly GenreProfiles _profiles;
    private readonly TimeProvider _time;
    private readonly ILogger<CatalogRecommender> _logger;
    private readonly ITrackCatalog? _catalog;
    private readonly IGenreTrackSearch? _search;
    private readonly IRecommendationHistory? _history;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TrackIndex? _index;
    private DateTimeOffset _checkedAt;

    public CatalogRecommender(
        IOptions<MusicOptions> options,
        GenreProfiles profiles,
        TimeProvider time,
        ILogger<CatalogRecommender> logger,
        ITrackCatalog? catalog = null,
        IGenreTrackSearch? search = null,
        IRecommendationHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _profiles = profiles;
        _time = time;
        _logger = logger;
        _catalog = catalog;
        _search = search;
        _history = history;
    }

    public async Task<Recommendation> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var count = request.Count > 0 ? Math.Min(request.Count, 50) : _options.DefaultCount;
        var target = MoodMapper.Clamp(request.Target);
        var exclude = await ExcludedAsync(request, cancellationToken);

        var index = await GetIndexAsync(cancellationToken);
        var scope = index is null || index.Count == 0 ? null : request.Genre is null ? index : index.ForGenre(request.Genre);
        Recommendation? result = null;
        if (scope is not null)
        {
            var ids = Pick(scope, target, request.Mode, count, exclude);
            IReadOnlyList<Track>? rows = null;
            try
            {
                rows = await _catalog!.GetAsync(ids, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The index is in memory but the rows it points at are not: a database outage after start-up takes
                // the genre path, the same as one before it.
                Log.CatalogUnavailable(_logger, e.GetType().Name + ": " + e.Message);
            }

            if (rows is not null)
            {
                var byId = rows.ToDictionary(t => t.Id, StringComparer.Ordinal);
                var tracks = ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
                var genres = tracks.SelectMany(t => t.Genres).Distinct(StringComparer.OrdinalIgnoreCase).Take(5).ToList();
                result = new Recommendation(tracks, genres, SourceCatalog);
            }
        }

        result ??= await ByGenreAsync(request, target, count, exclude, cancellationToken);

        await RememberAsync(request, target, result, cancellationToken);
        Log.Recommended(_logger, result.Tracks.Count, result.Source, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    /// <summary>Builds the index now (the bot calls this at start so the first member does not wait).</summary>
    public async Task<int> WarmUpAsync(CancellationToken cancellationToken) => (await GetIndexAsync(cancellationToken))?.Count ?? 0;

    public void Dispose() => _gate.Dispose();

    internal TrackIndex.Metric Metric => new(_options.ValenceWeight, _options.EnergyWeight, _options.PopularityTieBand);

    internal List<string> Pick(TrackIndex index, MoodTarget target, RecommendationMode mode, int count, IReadOnlySet<string> exclude)
    {
        var metric = Metric;
        var artists = new HashSet<int>();
        var picks = new List<int>(count);
        if (mode == RecommendationMode.Match)
        {
            index.Nearest(target, count, metric, artists, exclude, picks);
            return picks.Select(index.Id).ToList();
        }

        // Lift: one nearest track per step of the path, so the list plays from the current mood toward the goal.
        var goal = MoodMapper.LiftGoal(target, new MoodTarget(_options.LiftGoalValence, _options.LiftGoalEnergy));
        var chosen = new HashSet<string>(exclude, StringComparer.Ordinal);
        var ids = new List<string>(count);
        var step = new List<int>(1);
        foreach (var point in MoodMapper.LiftPath(target, goal, count))
        {
            index.Nearest(point, 1, metric, artists, chosen, step);
            if (step.Count == 1)
            {
                var id = index.Id(step[0]);
                chosen.Add(id);
                ids.Add(id);
            }
        }

        return ids;
    }

    internal async Task<TrackIndex?> GetIndexAsync(CancellationToken cancellationToken)
    {
        if (_catalog is null)
        {
            return null;
        }

        if (_index is not null && _time.GetUtcNow() - _checkedAt < _options.CatalogRefresh)
        {
            return _index;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (_index is not null && now - _checkedAt < _options.CatalogRefresh)
            {
                return _index;
            }

            var count = await _catalog.CountAsync(cancellationToken);
            if (_index is null || count != _index.Count)
            {
                var sw = Stopwatch.StartNew();
                var builder = new TrackIndex.Builder((int)Math.Min(count, int.MaxValue));
                await foreach (var track in _catalog.StreamAsync(cancellationToken))
                {
                    builder.Add(track);
                }

                _index = builder.Build();
                Log.IndexBuilt(_logger, _index.Count, sw.Elapsed.TotalMilliseconds);
            }

            _checkedAt = now;
            return _index;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A broken database must not take recommendations down: the genre path still answers.
            Log.CatalogUnavailable(_logger, e.GetType().Name + ": " + e.Message);
            return _index;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IReadOnlySet<string>> ExcludedAsync(RecommendationRequest request, CancellationToken cancellationToken)
    {
        var exclude = new HashSet<string>(request.Exclude ?? new HashSet<string>(), StringComparer.Ordinal);
        if (request.UserKey is not null && _history is not null && _options.NoRepeatLast > 0)
        {
            try
            {
                exclude.UnionWith(await _history.RecentTrackIdsAsync(request.UserKey, _options.NoRepeatLast, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.HistoryUnavailable(_logger, e);
            }
        }

        return exclude;
    }

    private async Task RememberAsync(RecommendationRequest request, MoodTarget target, Recommendation result, CancellationToken cancellationToken)
    {
        if (request.UserKey is null || _history is null || result.Tracks.Count == 0)
        {
            return;
        }

        try
        {
            await _history.AddAsync(request.UserKey, request.DetectedEmotion ?? MoodMapper.NearestEmotion(target), result.Tracks.Select(t => t.Id).ToList(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.HistoryUnavailable(_logger, e);
        }
    }

    private async Task<Recommendation> ByGenreAsync(RecommendationRequest request, MoodTarget target, int count, IReadOnlySet<string> exclude,
        CancellationToken cancellationToken)
    {
        var genres = ChooseGenres(request, target, count);
        if (_search is not { IsAvailable: true } || genres.Count == 0)
        {
            return new Recommendation([], genres, SourceGenresOnly);
        }

        // Spotify Search returns at most 10 per page; spread the list over the chosen genres, in order (lift: along the path).
        var perGenre = Math.Min(10, (count + genres.Count - 1) / genres.Count);
        var artists = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(exclude, StringComparer.Ordinal);
        var tracks = new List<Track>(count);
        foreach (var genre in genres)
        {
            IReadOnlyList<Track> found;
            try
            {
                // A random offset so two asks for the same mood do not return the same first page.
                var offset = _options.SearchMaxOffset == 0 ? 0 : Random.Shared.Next(_options.SearchMaxOffset + 1);
                found = await _search.SearchGenreAsync(genre, perGenre, offset, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.GenreSearchFailed(_logger, e, genre);
                continue;
            }

            foreach (var t in found)
            {
                if (tracks.Count == count)
                {
                    break;
                }

                if (seen.Add(t.Id) && !t.Artists.Any(artists.Contains))
                {
                    tracks.Add(t);
                    artists.UnionWith(t.Artists);
                }
            }
        }

        return new Recommendation(tracks, genres, SourceGenreSearch);
    }

    private List<string> ChooseGenres(RecommendationRequest request, MoodTarget target, int count)
    {
        if (request.Genre is { } g)
        {
            return [g.Trim().ToLowerInvariant()];
        }

        var profiles = _profiles;
        if (request.Mode == RecommendationMode.Match)
        {
            return profiles.Nearest(target, _options.FallbackGenres, _options.ValenceWeight, _options.EnergyWeight).Select(p => p.Genre).ToList();
        }

        // Lift: the genre nearest each step of the path, consecutive repeats merged, so genres move from the mood to the goal.
        var goal = MoodMapper.LiftGoal(target, new MoodTarget(_options.LiftGoalValence, _options.LiftGoalEnergy));
        var path = MoodMapper.LiftPath(target, goal, Math.Max(2, Math.Min(count, _options.FallbackGenres + 2)));
        var genres = new List<string>();
        foreach (var point in path)
        {
            var nearest = profiles.Nearest(point, 1, _options.ValenceWeight, _options.EnergyWeight);
            if (nearest.Count == 1 && !genres.Contains(nearest[0].Genre))
            {
                genres.Add(nearest[0].Genre);
            }
        }

        return genres;
    }
}
