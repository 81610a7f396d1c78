using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Music;

namespace MoodBot.Tests;

/// <summary>A catalog held in a list; <see cref="Fail"/> makes every call throw like a broken database.</summary>
internal sealed class ListCatalog(IEnumerable<Track> tracks) : ITrackCatalog
{
    private readonly Dictionary<string, Track> _tracks = tracks.ToDictionary(t => t.Id);

    public bool Fail { get; set; }

    public Task<long> CountAsync(CancellationToken cancellationToken) =>
        Fail ? throw new InvalidOperationException("database is down") : Task.FromResult((long)_tracks.Count);

    public async IAsyncEnumerable<Track> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var t in _tracks.Values)
        {
            yield return t;
        }
    }

    public Task<IReadOnlyList<Track>> GetAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        Fail ? throw new InvalidOperationException("database is down")
            : Task.FromResult<IReadOnlyList<Track>>(ids.Where(_tracks.ContainsKey).Select(i => _tracks[i]).ToList());

    public Task<int> UpsertAsync(IReadOnlyList<Track> tracks, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Remembers every call; returns tracks named after the genre and offset so tests can trace them.</summary>
internal sealed class FakeGenreSearch(bool available = true) : IGenreTrackSearch
{
    public List<(string Genre, int Limit, int Offset)> Calls { get; } = [];

    public bool IsAvailable => available;

    public Task<IReadOnlyList<Track>> SearchGenreAsync(string genre, int limit, int offset, CancellationToken cancellationToken)
    {
        Calls.Add((genre, limit, offset));
        var tracks = Enumerable.Range(0, limit)
            .Select(i => new Track($"{Math.Abs(HashCode.Combine(genre, offset, i)):D22}"[..22], $"{genre} {i}", [$"{genre} artist {i % Math.Max(1, limit - 1)}"],
                [genre], 50, 0.5, 0.5))
            .ToList();
        return Task.FromResult<IReadOnlyList<Track>>(tracks);
    }
}

internal sealed class MemoryHistory : IRecommendationHistory
{
    private readonly List<(string User, IReadOnlyList<string> Ids)> _rows = [];

    public List<Emotion> Emotions { get; } = [];

    public Task<IReadOnlySet<string>> RecentTrackIdsAsync(string userKey, int lastRecommendations, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(_rows.Where(r => r.User == userKey).TakeLast(lastRecommendations).SelectMany(r => r.Ids).ToHashSet());

    public Task AddAsync(string userKey, Emotion emotion, IReadOnlyList<string> trackIds, CancellationToken cancellationToken)
    {
        _rows.Add((userKey, trackIds));
        Emotions.Add(emotion);
        return Task.CompletedTask;
    }
}

internal static class Recommenders
{
    public static CatalogRecommender Create(ITrackCatalog? catalog, IGenreTrackSearch? search = null, IRecommendationHistory? history = null,
        MusicOptions? options = null) =>
        new(Options.Create(options ?? new MusicOptions()), GenreProfiles.LoadEmbedded(), TimeProvider.System,
            NullLogger<CatalogRecommender>.Instance, catalog, search, history);
}
