using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Music;

/// <summary>
/// Recommends from, in order: Spotify's own <c>/recommendations</c> (<see cref="IMoodRecommendationSource"/>, only for
/// apps that still have it, match mode), the local catalog (an in-memory <see cref="TrackIndex"/> built from
/// <see cref="ITrackCatalog"/>: the shipped tracks plus any imported), and the genre profile table plus
/// <see cref="IGenreTrackSearch"/>. Catalog picks get Spotify's current audio features where <c>/audio-features</c>
/// answers (<see cref="ITrackFeatureSource"/>). Singleton; thread-safe.
/// </summary>
public sealed class CatalogRecommender : IRecommender, IDisposable
{
    public const string SourceCatalog = "catalog";
    public const string SourceGenreSearch = "genre-search";
    public const string SourceGenresOnly = "genres";
    public const string SourceSpotify = "spotify-recommendations";

    /// <summary>Genres offered to Spotify as seeds, nearest the target first (it keeps the ones it knows, up to five).</summary>
    private const int SpotifySeedCandidates = 10;

    /// <summary>How long Spotify's recommendations may take before the catalog answers instead.</summary>
    private static readonly TimeSpan SpotifyBudget = TimeSpan.FromSeconds(3);

    private readonly MusicOptions _options;
    private readonly GenreProfiles _profiles;
    private readonly TimeProvider _time;
    private readonly ILogger<CatalogRecommender> _logger;
    private readonly ITrackCatalog? _catalog;
    private readonly IGenreTrackSearch? _search;
    private readonly IRecommendationHistory? _history;
    private readonly CatalogSeeder? _seeder;
    private readonly IMoodRecommendationSource? _spotify;
    private readonly ITrackFeatureSource? _features;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TrackIndex? _index;
    private DateTimeOffset _checkedAt;
    private int _indexGeneration;
    private volatile bool _catalogFailing;

    public CatalogRecommender(
        IOptions<MusicOptions> options,
        GenreProfiles profiles,
        TimeProvider time,
        ILogger<CatalogRecommender> logger,
        ITrackCatalog? catalog = null,
        IGenreTrackSearch? search = null,
        IRecommendationHistory? history = null,
        CatalogSeeder? seeder = null,
        IMoodRecommendationSource? spotifyRecommendations = null,
        ITrackFeatureSource? features = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _profiles = profiles;
        _time = time;
        _logger = logger;
        _catalog = catalog;
        _search = search;
        _history = history;
        _seeder = seeder;
        _spotify = spotifyRecommendations;
        _features = features;
    }

    public async Task<Recommendation> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var count = request.Count > 0 ? Math.Min(request.Count, 50) : _options.DefaultCount;
        var target = MoodMapper.Clamp(request.Target);
        var exclude = await ExcludedAsync(request, cancellationToken);

        var result = await FromSpotifyAsync(request, target, count, exclude, cancellationToken);
        var failing = false;
        var index = result is null ? await GetIndexAsync(cancellationToken) : null;
        failing |= _catalogFailing;
        var scope = index is null || index.Count == 0 ? null : request.Genre is null ? index : index.ForGenre(request.Genre);
        if (result is null && scope is not null)
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
                failing = true;
            }

            if (rows is not null)
            {
                var byId = rows.ToDictionary(t => t.Id, StringComparer.Ordinal);
                var tracks = await EnrichAsync(ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList(), cancellationToken);
                var genres = tracks.SelectMany(t => t.Genres).Distinct(StringComparer.OrdinalIgnoreCase).Take(5).ToList();
                result = new Recommendation(tracks, genres, SourceCatalog);
            }
        }

        if (result is null)
        {
            var (byGenre, searchFailing) = await ByGenreAsync(request, target, count, exclude, cancellationToken);
            result = byGenre;
            failing |= searchFailing;
        }

        if (result.Tracks.Count == 0)
        {
            result = result with { NoTracks = WhyNoTracks(index, failing) };
        }

        await RememberAsync(request, target, result, cancellationToken);
        Log.Recommended(_logger, result.Tracks.Count, result.Source, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    /// <summary>
    /// The sources in the order they are tried, in words for the start-up log. Asks Spotify's <c>/recommendations</c>
    /// once (the answer is remembered for the process), so the log says whether this app still has it.
    /// </summary>
    public async Task<string> DescribeSourcesAsync(CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        if (_spotify is null || _search is not { IsAvailable: true })
        {
            parts.Add("Spotify recommendations: off (Spotify not configured)");
        }
        else
        {
            IReadOnlyList<Track>? probe = null;
            try
            {
                probe = await _spotify.RecommendAsync(new MoodTarget(0.5, 0.5), ChooseSeedGenres(new MoodTarget(0.5, 0.5), null), 1, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.SpotifyRecommendationsFailed(_logger, e.GetType().Name + ": " + e.Message);
            }

            parts.Add(probe is not null ? "Spotify recommendations (granted to this app)" : "Spotify recommendations: not available to this app");
        }

        var index = await GetIndexAsync(cancellationToken);
        parts.Add(_catalog is null ? "catalog: none" : $"catalog ({index?.Count ?? 0} tracks: shipped + imported)");
        parts.Add(_search is { IsAvailable: true } ? "Spotify genre search" : "genre search: off (Spotify not configured)");
        return string.Join(" → ", parts);
    }

    /// <summary>Spotify's own recommendations, when this app still has them; null to fall through to the catalog.</summary>
    private async Task<Recommendation?> FromSpotifyAsync(RecommendationRequest request, MoodTarget target, int count, IReadOnlySet<string> exclude,
        CancellationToken cancellationToken)
    {
        // Lift is a path of targets, one track per step: the catalog walks it; /recommendations takes a single target.
        if (_spotify is null || _search is not { IsAvailable: true } || request.Mode != RecommendationMode.Match)
        {
            return null;
        }

        IReadOnlyList<Track>? found;
        // A slow Spotify must not hold the member's answer: past this budget the catalog answers instead.
        using var budget = new CancellationTokenSource(SpotifyBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            // Ask for more than needed: recent tracks and repeated artists are dropped below.
            found = await _spotify.RecommendAsync(target, ChooseSeedGenres(target, request.Genre), Math.Min(100, count * 3), linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.SpotifyRecommendationsFailed(_logger, $"no answer within {SpotifyBudget.TotalSeconds:0} s");
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.SpotifyRecommendationsFailed(_logger, e.GetType().Name + ": " + e.Message);
            return null;
        }

        if (found is null)
        {
            return null;
        }

        var artists = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var tracks = new List<Track>(count);
        foreach (var t in found)
        {
            if (tracks.Count == count)
            {
                break;
            }

            if (!exclude.Contains(t.Id) && !t.Artists.Any(artists.Contains))
            {
                tracks.Add(t);
                artists.UnionWith(t.Artists);
            }
        }

        if (tracks.Count == 0)
        {
            return null;
        }

        var genres = tracks.SelectMany(t => t.Genres).Distinct(StringComparer.OrdinalIgnoreCase).Take(5).ToList();
        return new Recommendation(tracks, genres, SourceSpotify);
    }

    private List<string> ChooseSeedGenres(MoodTarget target, string? genre) =>
        genre is { } g
            ? [g.Trim().ToLowerInvariant()]
            : _profiles.Nearest(target, SpotifySeedCandidates, _options.ValenceWeight, _options.EnergyWeight).Select(p => p.Genre).ToList();

    /// <summary>
    /// Spotify's current features for catalog picks where <c>/audio-features</c> answers; changed rows are written back so
    /// the next index build uses them. Best effort: the member's list never waits on a failure here.
    /// </summary>
    private async Task<IReadOnlyList<Track>> EnrichAsync(List<Track> tracks, CancellationToken cancellationToken)
    {
        if (_features is null || tracks.Count == 0)
        {
            return tracks;
        }

        IReadOnlyList<Track> enriched;
        try
        {
            enriched = await _features.EnrichAsync(tracks, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.EnrichmentFailed(_logger, e.GetType().Name + ": " + e.Message);
            return tracks;
        }

        var changed = enriched.Where((t, i) => i < tracks.Count && (t.Valence != tracks[i].Valence || t.Energy != tracks[i].Energy)).ToList();
        if (changed.Count > 0 && _catalog is not null)
        {
            try
            {
                await _catalog.UpsertAsync(changed, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.EnrichmentFailed(_logger, e.GetType().Name + ": " + e.Message);
            }
        }

        return enriched;
    }

    private NoTracksReason WhyNoTracks(TrackIndex? index, bool failing)
    {
        var catalogEmpty = index is null || index.Count == 0;
        if (catalogEmpty && _seeder?.Status.State is CatalogSeedState.Seeding or CatalogSeedState.Pending)
        {
            return NoTracksReason.CatalogLoading;
        }

        if (failing)
        {
            return NoTracksReason.SourceFailing;
        }

        return catalogEmpty && _search is not { IsAvailable: true } ? NoTracksReason.NoSource : NoTracksReason.NothingMatched;
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

        if (IsFresh(_time.GetUtcNow()))
        {
            return _index;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (IsFresh(now))
            {
                return _index;
            }

            // Read before the count, so a seed that ends in between is seen again on the next call.
            var generation = _seeder?.Generation ?? 0;
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
            _indexGeneration = generation;
            _catalogFailing = false;
            return _index;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A broken database must not take recommendations down: the genre path still answers.
            Log.CatalogUnavailable(_logger, e.GetType().Name + ": " + e.Message);
            _catalogFailing = true;
            return _index;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Fresh: built recently, and no seed run has ended since (a seed changes the catalog under a built index).
    private bool IsFresh(DateTimeOffset now) =>
        _index is not null && now - _checkedAt < _options.CatalogRefresh && _indexGeneration == (_seeder?.Generation ?? 0);

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

    /// <returns>The recommendation, and whether every search failed (the source is failing, not merely empty).</returns>
    private async Task<(Recommendation Result, bool Failing)> ByGenreAsync(RecommendationRequest request, MoodTarget target, int count,
        IReadOnlySet<string> exclude, CancellationToken cancellationToken)
    {
        var genres = ChooseGenres(request, target, count);
        if (_search is not { IsAvailable: true } || genres.Count == 0)
        {
            return (new Recommendation([], genres, SourceGenresOnly), false);
        }

        var failures = 0;
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
                failures++;
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

        return (new Recommendation(tracks, genres, SourceGenreSearch), failures == genres.Count);
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
