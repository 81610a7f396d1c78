using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Spotify;

/// <summary>Hands out bearer tokens; <see cref="RenewAsync"/> is called once when Spotify answers 401.</summary>
internal interface ISpotifyTokenSource
{
    Task<string> GetAsync(CancellationToken cancellationToken);

    /// <summary>A token other than <paramref name="rejected"/> (another caller may have renewed it already).</summary>
    Task<string> RenewAsync(string rejected, CancellationToken cancellationToken);
}

/// <summary>
/// The Web API calls MoodBot makes, written from <c>fixed-spotify-open-api.yml</c> with Spotify's 2026 development-mode
/// rules: search pages of at most 10, playlists via <c>/me/playlists</c> and <c>/playlists/{id}/items</c>.
/// </summary>
internal sealed class SpotifyApiClient(HttpClient http, IOptions<SpotifyOptions> options, ILogger<SpotifyApiClient> logger)
{
    /// <summary>Development-mode apps get at most 10 search results per page (February 2026).</summary>
    public const int MaxSearchLimit = 10;

    /// <summary>Spotify's deepest search offset.</summary>
    public const int MaxSearchOffset = 1000;

    public const int MaxItemsPerAdd = 100;

    public const int MaxAudioFeatureIds = 100;

    private readonly string? _market = options.Value.Market;

    public Task<SearchResponse> SearchTracksAsync(string query, int limit, int offset, ISpotifyTokenSource tokens, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxSearchLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, MaxSearchOffset);
        var path = new StringBuilder("search?q=").Append(Uri.EscapeDataString(query))
            .Append("&type=track&limit=").Append(limit.ToString(CultureInfo.InvariantCulture))
            .Append("&offset=").Append(offset.ToString(CultureInfo.InvariantCulture));
        AppendMarket(path);
        return SendAsync(HttpMethod.Get, path.ToString(), null, SpotifyJsonContext.Default.SearchResponse, "search", tokens, cancellationToken);
    }

    public Task<RecommendationsResponse> RecommendationsAsync(MoodTarget target, IReadOnlyList<string> seedGenres, int limit,
        ISpotifyTokenSource tokens, CancellationToken cancellationToken)
    {
        var path = new StringBuilder("recommendations?limit=").Append(Math.Clamp(limit, 1, 100).ToString(CultureInfo.InvariantCulture))
            .Append("&seed_genres=").Append(Uri.EscapeDataString(string.Join(',', seedGenres.Take(5))))
            .Append("&target_valence=").Append(Math.Clamp(target.Valence, 0, 1).ToString("0.###", CultureInfo.InvariantCulture))
            .Append("&target_energy=").Append(Math.Clamp(target.Energy, 0, 1).ToString("0.###", CultureInfo.InvariantCulture));
        AppendMarket(path);
        return SendAsync(HttpMethod.Get, path.ToString(), null, SpotifyJsonContext.Default.RecommendationsResponse, "recommendations", tokens, cancellationToken);
    }

    /// <summary>The genre names <c>/recommendations</c> accepts as seeds (it refuses others).</summary>
    public Task<GenreSeedsResponse> GenreSeedsAsync(ISpotifyTokenSource tokens, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "recommendations/available-genre-seeds", null, SpotifyJsonContext.Default.GenreSeedsResponse, "genre seeds", tokens,
            cancellationToken);

    public Task<AudioFeaturesResponse> AudioFeaturesAsync(IReadOnlyList<string> ids, ISpotifyTokenSource tokens, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ids.Count, MaxAudioFeatureIds);
        var path = "audio-features?ids=" + Uri.EscapeDataString(string.Join(',', ids));
        return SendAsync(HttpMethod.Get, path, null, SpotifyJsonContext.Default.AudioFeaturesResponse, "audio features", tokens, cancellationToken);
    }

    public Task<PlaylistResponse> CreatePlaylistAsync(string name, string description, ISpotifyTokenSource tokens, CancellationToken cancellationToken)
    {
        // Private by default: a mood is personal; the member can make it public in Spotify.
        var body = JsonSerializer.SerializeToUtf8Bytes(new CreatePlaylistRequest(name, description, Public: false), SpotifyJsonContext.Default.CreatePlaylistRequest);
        return SendAsync(HttpMethod.Post, "me/playlists", body, SpotifyJsonContext.Default.PlaylistResponse, "playlist creation", tokens, cancellationToken);
    }

    public Task<SnapshotResponse> AddItemsAsync(string playlistId, IReadOnlyList<string> uris, ISpotifyTokenSource tokens, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(uris.Count, MaxItemsPerAdd);
        var body = JsonSerializer.SerializeToUtf8Bytes(new AddItemsRequest(uris), SpotifyJsonContext.Default.AddItemsRequest);
        return SendAsync(HttpMethod.Post, $"playlists/{Uri.EscapeDataString(playlistId)}/items", body, SpotifyJsonContext.Default.SnapshotResponse,
            "adding playlist items", tokens, cancellationToken);
    }

    /// <summary>
    /// Starts the tracks on the member's active device (<c>PUT /me/player/play</c>, 204 No Content). Spotify answers 404
    /// NO_ACTIVE_DEVICE when nothing is open and 403 PREMIUM_REQUIRED for free accounts; both surface as exceptions
    /// carrying <see cref="SpotifyException.Reason"/>.
    /// </summary>
    public async Task PlayAsync(IReadOnlyList<string> uris, ISpotifyTokenSource tokens, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(uris.Count);
        var body = JsonSerializer.SerializeToUtf8Bytes(new PlayRequest(uris), SpotifyJsonContext.Default.PlayRequest);
        using var response = await SendCheckedAsync(HttpMethod.Put, "me/player/play", body, "starting playback", tokens, cancellationToken);
    }

    private void AppendMarket(StringBuilder path)
    {
        if (!string.IsNullOrEmpty(_market))
        {
            path.Append("&market=").Append(_market);
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<T> type, string operation,
        ISpotifyTokenSource tokens, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(method, path, body, operation, tokens, cancellationToken);
        var result = await response.Content.ReadFromJsonOrDefaultAsync(type, cancellationToken);
        return result ?? throw new SpotifyException(SpotifyFailure.Unavailable, $"Spotify's answer to {operation} was empty.", response.StatusCode);
    }

    /// <summary>A successful response (the caller disposes it), or the failure as a <see cref="SpotifyException"/>.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpMethod method, string path, byte[]? body, string operation,
        ISpotifyTokenSource tokens, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(cancellationToken);
        HttpResponseMessage? response = await SendOnceAsync(method, path, body, token, operation, cancellationToken);
        try
        {
            // A 401 means the token was refused before anything happened, so repeating even a POST is safe; once only.
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                response.Dispose();
                Log.TokenRejected(logger, operation);
                token = await tokens.RenewAsync(token, cancellationToken);
                response = await SendOnceAsync(method, path, body, token, operation, cancellationToken);
            }

            if (response.IsSuccessStatusCode)
            {
                var ok = response;
                response = null;
                return ok;
            }

            throw await ToExceptionAsync(response, operation, cancellationToken);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, byte[]? body, string token, string operation,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            // Buffered content: the resilience handler may resend it after a 429.
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return await SpotifyHttp.SendAsync(http, request, operation, cancellationToken);
    }

    private static async Task<SpotifyException> ToExceptionAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        var error = await response.Content.ReadFromJsonOrDefaultAsync(SpotifyJsonContext.Default.ApiErrorBody, cancellationToken);
        var failure = SpotifyHttp.Classify(response.StatusCode);
        var retryAfter = SpotifyHttp.RetryAfter(response);
        var detail = string.IsNullOrWhiteSpace(error?.Error?.Message) ? "" : $": {error.Error.Message}";
        var message = failure == SpotifyFailure.RateLimited && retryAfter is { } wait
            ? $"Spotify is rate limiting {operation}; try again in {Math.Ceiling(wait.TotalSeconds):0} s."
            : $"Spotify {operation} failed with HTTP {(int)response.StatusCode}{detail}.";
        return new SpotifyException(failure, message, response.StatusCode, retryAfter, reason: error?.Error?.Reason)
        {
            SpotifyMessage = error?.Error?.Message,
        };
    }
}

internal static class HttpContentJson
{
    /// <summary>Parses JSON, or returns default for an empty or non-JSON body (Spotify's edge sometimes answers HTML).</summary>
    public static async Task<T?> ReadFromJsonOrDefaultAsync<T>(this HttpContent content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            return default;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, type);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
