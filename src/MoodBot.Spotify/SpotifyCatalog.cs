using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Spotify;

/// <summary>
/// Catalog look-ups with the app token: genre search for the catalog-free path, and, for grandfathered apps only,
/// <c>/recommendations</c> and <c>/audio-features</c>.
/// </summary>
/// <remarks>
/// Search results carry no audio features. Such tracks get <see cref="UnknownFeature"/> (0.5, the centre of Spotify's
/// 0..1 scales: no evidence either way, so distance-based ranking neither favours nor punishes them) for valence and
/// energy, and null <see cref="Track.Tempo"/>, <see cref="Track.Danceability"/> and <see cref="Track.Acousticness"/>:
/// a null tempo marks a track whose features are estimates. When <c>/audio-features</c> answers, real values replace them.
/// NaN was rejected: it poisons every sum and comparison it touches.
/// </remarks>
internal sealed class SpotifyCatalog(
    SpotifyApiClient api,
    SpotifyAppTokens appTokens,
    SpotifyEndpointAvailability availability,
    IOptions<SpotifyOptions> options,
    ILogger<SpotifyCatalog> logger) : IGenreTrackSearch, ITrackFeatureSource, IMoodRecommendationSource
{
    public const double UnknownFeature = 0.5;

    /// <summary>Most tracks one genre search returns (five pages of ten).</summary>
    public const int MaxGenreTracks = 50;

    /// <summary>Spotify allows five seeds in all; three genres keep the list close to the mood rather than to a blend.</summary>
    public const int MaxSeeds = 3;

    private volatile IReadOnlySet<string>? _seedGenres;

    public bool IsAvailable => options.Value.IsConfigured;

    /// <summary>
    /// Up to <paramref name="limit"/> tracks of <paramref name="genre"/> starting at <paramref name="offset"/>, fetched in
    /// pages of ten (the development-mode maximum). Callers pick a random offset for variety; it is clamped to Spotify's
    /// deepest offset. Features are filled from <c>/audio-features</c> when that endpoint works.
    /// </summary>
    public async Task<IReadOnlyList<Track>> SearchGenreAsync(string genre, int limit, int offset, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(genre);
        EnsureConfigured();
        limit = Math.Clamp(limit, 1, MaxGenreTracks);
        offset = Math.Clamp(offset, 0, SpotifyApiClient.MaxSearchOffset - SpotifyApiClient.MaxSearchLimit);
        // Quotes inside the value would end the field filter early.
        var clean = genre.Replace("\"", "", StringComparison.Ordinal).Trim();
        var query = $"genre:\"{clean}\"";
        var tracks = new List<Track>(limit);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (tracks.Count < limit && offset <= SpotifyApiClient.MaxSearchOffset)
        {
            var pageSize = Math.Min(SpotifyApiClient.MaxSearchLimit, limit - tracks.Count);
            var page = await api.SearchTracksAsync(query, pageSize, offset, appTokens, cancellationToken);
            var items = page.Tracks?.Items ?? [];
            foreach (var item in items)
            {
                if (ToTrack(item, [clean], UnknownFeature, UnknownFeature) is { } track && seen.Add(track.Id))
                {
                    tracks.Add(track);
                }
            }

            if (items.Count < pageSize || page.Tracks?.Next is null)
            {
                break;
            }

            offset += pageSize;
        }

        return await EnrichAsync(tracks, cancellationToken);
    }

    public async Task<IReadOnlyList<Track>> EnrichAsync(IReadOnlyList<Track> tracks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        if (tracks.Count == 0 || !IsAvailable || !availability.AudioFeatures)
        {
            return tracks;
        }

        var features = new Dictionary<string, AudioFeatures>(StringComparer.Ordinal);
        foreach (var batch in tracks.Select(t => t.Id).Distinct(StringComparer.Ordinal).Chunk(SpotifyApiClient.MaxAudioFeatureIds))
        {
            try
            {
                var response = await api.AudioFeaturesAsync(batch, appTokens, cancellationToken);
                foreach (var f in response.Items ?? [])
                {
                    if (f?.Id is { } id)
                    {
                        features[id] = f;
                    }
                }
            }
            catch (SpotifyException e) when (IsGone(e))
            {
                availability.MarkAudioFeaturesGone(logger, (int)e.Status!.Value);
                return tracks;
            }
            catch (SpotifyException e)
            {
                // Features are a bonus: a busy Spotify must not cost the member their recommendation.
                Log.EnrichmentSkipped(logger, e.Failure);
                return tracks;
            }
        }

        return [.. tracks.Select(t => features.TryGetValue(t.Id, out var f)
            ? t with { Valence = f.Valence, Energy = f.Energy, Danceability = f.Danceability, Acousticness = f.Acousticness, Tempo = f.Tempo }
            : t)];
    }

    /// <remarks>
    /// The genres offered may be any tags (the caller's come from catalog playlists: "dance pop", "r&amp;b"); Spotify
    /// accepts only its own seed names and answers 400 to others. So the seed list is fetched once
    /// (<c>/recommendations/available-genre-seeds</c>, itself one of the legacy endpoints: 403/404 there means no
    /// recommendations either) and each genre is mapped onto it; none known means null, and the caller falls back.
    /// </remarks>
    public async Task<IReadOnlyList<Track>?> RecommendAsync(MoodTarget target, IReadOnlyList<string> seedGenres, int limit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seedGenres);
        if (!IsAvailable || !availability.Recommendations || seedGenres.Count == 0)
        {
            return null;
        }

        RecommendationsResponse response;
        List<string> seeds;
        try
        {
            var known = await SeedGenresAsync(cancellationToken);
            seeds = known is null ? [] : MatchSeeds(seedGenres, known);
            if (seeds.Count == 0)
            {
                return null;
            }

            response = await api.RecommendationsAsync(target, seeds, limit, appTokens, cancellationToken);
        }
        catch (SpotifyException e) when (IsGone(e))
        {
            availability.MarkRecommendationsGone(logger, (int)e.Status!.Value);
            return null;
        }
        catch (SpotifyException e)
        {
            Log.CallFailed(logger, "recommendations", e.Failure, Log.Code(e.Status), null);
            return null;
        }

        // Spotify chose them to sit near the target, which is the best estimate until audio features say otherwise.
        var tracks = (response.Tracks ?? []).Select(t => ToTrack(t, seeds, target.Valence, target.Energy)).OfType<Track>().ToList();
        return await EnrichAsync(tracks, cancellationToken);
    }

    /// <summary>
    /// Up to <see cref="MaxSeeds"/> of Spotify's seed names for <paramref name="genres"/>, in order: the tag itself in
    /// Spotify's spelling ("r&amp;b" → "r-n-b", "hip hop" → "hip-hop"), else its words ("dance pop" → "dance", "pop").
    /// </summary>
    internal static List<string> MatchSeeds(IReadOnlyList<string> genres, IReadOnlySet<string> known)
    {
        var seeds = new List<string>(MaxSeeds);
        void TryAdd(string candidate)
        {
            if (seeds.Count < MaxSeeds && known.Contains(candidate) && !seeds.Contains(candidate))
            {
                seeds.Add(candidate);
            }
        }

        var spelled = genres.Select(g => g.Trim().ToLowerInvariant().Replace("&", "-n-", StringComparison.Ordinal).Replace(' ', '-')).ToList();
        spelled.ForEach(TryAdd);
        foreach (var word in spelled.SelectMany(g => g.Split('-', StringSplitOptions.RemoveEmptyEntries)))
        {
            TryAdd(word);
        }

        return seeds;
    }

    /// <summary>Spotify's seed names, fetched once; null when the call failed this time (tried again on the next call).</summary>
    /// <exception cref="SpotifyException">403/404: this app has no recommendations (the caller remembers that).</exception>
    private async Task<IReadOnlySet<string>?> SeedGenresAsync(CancellationToken cancellationToken)
    {
        if (_seedGenres is { } cached)
        {
            return cached;
        }

        GenreSeedsResponse response;
        try
        {
            response = await api.GenreSeedsAsync(appTokens, cancellationToken);
        }
        catch (SpotifyException e) when (!IsGone(e))
        {
            Log.CallFailed(logger, "genre seeds", e.Failure, Log.Code(e.Status), null);
            return null;
        }

        var set = (response.Genres ?? []).OfType<string>().Select(g => g.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        _seedGenres = set;
        return set;
    }

    // 403 and 404 are how Spotify answers apps that lost these endpoints (November 2024); they will not come back.
    private static bool IsGone(SpotifyException e) => e.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound;

    private void EnsureConfigured()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException("Spotify is not configured (MoodBot:Spotify:ClientId and ClientSecret).");
        }
    }

    private static Track? ToTrack(TrackItem? item, IReadOnlyList<string> genres, double valence, double energy)
    {
        if (item is null || item.IsLocal || string.IsNullOrEmpty(item.Id) || string.IsNullOrEmpty(item.Name))
        {
            return null;
        }

        var artists = (item.Artists ?? []).Select(a => a.Name).OfType<string>().ToArray();
        // Development-mode answers may omit popularity (2026); 0 then means "unknown", not "unpopular".
        return new Track(item.Id, item.Name, artists, genres, Math.Clamp(item.Popularity ?? 0, 0, 100), valence, energy);
    }
}

/// <summary>Process-wide memory of which legacy endpoints this app may use; each is given up at most once.</summary>
internal sealed class SpotifyEndpointAvailability
{
    private int _recommendationsGone;
    private int _audioFeaturesGone;

    public bool Recommendations => Volatile.Read(ref _recommendationsGone) == 0;

    public bool AudioFeatures => Volatile.Read(ref _audioFeaturesGone) == 0;

    public void MarkRecommendationsGone(ILogger logger, int status)
    {
        if (Interlocked.Exchange(ref _recommendationsGone, 1) == 0)
        {
            Log.EndpointUnavailable(logger, "/recommendations", status);
        }
    }

    public void MarkAudioFeaturesGone(ILogger logger, int status)
    {
        if (Interlocked.Exchange(ref _audioFeaturesGone, 1) == 0)
        {
            Log.EndpointUnavailable(logger, "/audio-features", status);
        }
    }
}
