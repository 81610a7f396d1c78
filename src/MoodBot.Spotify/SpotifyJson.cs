using System.Text.Json.Serialization;

namespace MoodBot.Spotify;

// Wire shapes, only the fields MoodBot reads (names from fixed-spotify-open-api.yml and the Accounts service docs).

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("scope")] string? Scope);

internal sealed record OAuthError(
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? Description);

internal sealed record ApiErrorBody([property: JsonPropertyName("error")] ApiError? Error);

/// <param name="Reason">Player endpoints add a machine-readable reason (NO_ACTIVE_DEVICE, PREMIUM_REQUIRED, …).</param>
internal sealed record ApiError(
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("reason")] string? Reason = null);

internal sealed record ArtistRef([property: JsonPropertyName("id")] string? Id, [property: JsonPropertyName("name")] string? Name);

internal sealed record TrackItem(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("artists")] IReadOnlyList<ArtistRef>? Artists,
    [property: JsonPropertyName("popularity")] int? Popularity,
    [property: JsonPropertyName("is_local")] bool IsLocal);

internal sealed record TrackPage(
    [property: JsonPropertyName("items")] IReadOnlyList<TrackItem?>? Items,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("next")] string? Next);

internal sealed record SearchResponse([property: JsonPropertyName("tracks")] TrackPage? Tracks);

internal sealed record GenreSeedsResponse([property: JsonPropertyName("genres")] IReadOnlyList<string?>? Genres);

internal sealed record RecommendationsResponse([property: JsonPropertyName("tracks")] IReadOnlyList<TrackItem?>? Tracks);

internal sealed record AudioFeatures(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("valence")] double Valence,
    [property: JsonPropertyName("energy")] double Energy,
    [property: JsonPropertyName("danceability")] double? Danceability,
    [property: JsonPropertyName("acousticness")] double? Acousticness,
    [property: JsonPropertyName("tempo")] double? Tempo);

internal sealed record AudioFeaturesResponse([property: JsonPropertyName("audio_features")] IReadOnlyList<AudioFeatures?>? Items);

internal sealed record CreatePlaylistRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("public")] bool Public);

internal sealed record ExternalUrls([property: JsonPropertyName("spotify")] string? Spotify);

internal sealed record PlaylistResponse(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("external_urls")] ExternalUrls? ExternalUrls);

internal sealed record AddItemsRequest([property: JsonPropertyName("uris")] IReadOnlyList<string> Uris);

internal sealed record SnapshotResponse([property: JsonPropertyName("snapshot_id")] string? SnapshotId);

/// <summary>The body of <c>PUT /me/player/play</c>: the tracks to play, in order (no context, so the list is exactly ours).</summary>
internal sealed record PlayRequest([property: JsonPropertyName("uris")] IReadOnlyList<string> Uris);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(ApiErrorBody))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(RecommendationsResponse))]
[JsonSerializable(typeof(GenreSeedsResponse))]
[JsonSerializable(typeof(AudioFeaturesResponse))]
[JsonSerializable(typeof(CreatePlaylistRequest))]
[JsonSerializable(typeof(PlaylistResponse))]
[JsonSerializable(typeof(AddItemsRequest))]
[JsonSerializable(typeof(SnapshotResponse))]
[JsonSerializable(typeof(PlayRequest))]
internal sealed partial class SpotifyJsonContext : JsonSerializerContext;
