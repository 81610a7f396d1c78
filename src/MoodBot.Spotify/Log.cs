using System.Net;
using Microsoft.Extensions.Logging;
using MoodBot.Core;

namespace MoodBot.Spotify;

/// <summary>Spotify's log messages (event ids 4000-4099). None of them carries a token, code, verifier or secret.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Debug, "Spotify app token obtained, valid for {ExpiresIn} s")]
    public static partial void AppTokenObtained(ILogger logger, int expiresIn);

    [LoggerMessage(4001, LogLevel.Debug, "Spotify refused the access token for {Operation}; renewing it and retrying once")]
    public static partial void TokenRejected(ILogger logger, string operation);

    [LoggerMessage(4002, LogLevel.Information, "Spotify {Endpoint} is not available to this app (HTTP {Status}); falling back to MoodBot's own data from now on")]
    public static partial void EndpointUnavailable(ILogger logger, string endpoint, int status);

    [LoggerMessage(4003, LogLevel.Warning, "Spotify {Operation} failed: {Failure} (HTTP {Status}) {SpotifyMessage}")]
    public static partial void CallFailed(ILogger logger, string operation, SpotifyFailure failure, int status, string? spotifyMessage);

    [LoggerMessage(4004, LogLevel.Information, "Discord user {DiscordUserId} linked a Spotify account")]
    public static partial void Linked(ILogger logger, string discordUserId);

    [LoggerMessage(4005, LogLevel.Information, "Discord user {DiscordUserId} unlinked their Spotify account")]
    public static partial void Unlinked(ILogger logger, string discordUserId);

    [LoggerMessage(4006, LogLevel.Information, "Spotify grant of Discord user {DiscordUserId} is revoked or expired; the link was removed")]
    public static partial void GrantRevoked(ILogger logger, string discordUserId);

    [LoggerMessage(4007, LogLevel.Information, "Saved a playlist of {TrackCount} tracks for Discord user {DiscordUserId}")]
    public static partial void PlaylistSaved(ILogger logger, int trackCount, string discordUserId);

    [LoggerMessage(4008, LogLevel.Warning, "Spotify refused a playlist for Discord user {DiscordUserId} (HTTP {Status}: {SpotifyMessage}). In development mode the member must be on the app's user list in the Spotify dashboard and the app owner needs Premium.")]
    public static partial void PlaylistForbidden(ILogger logger, string discordUserId, int status, string? spotifyMessage);

    [LoggerMessage(4009, LogLevel.Information, "Spotify callback ended as {Status}")]
    public static partial void CallbackHandled(ILogger logger, SpotifyCallbackStatus status);

    [LoggerMessage(4010, LogLevel.Debug, "Spotify rotated the refresh token of Discord user {DiscordUserId}; stored the new one")]
    public static partial void RefreshTokenRotated(ILogger logger, string discordUserId);

    [LoggerMessage(4011, LogLevel.Information, "Spotify is not configured (MoodBot:Spotify:ClientId/ClientSecret empty); search, linking and playlists are off")]
    public static partial void NotConfigured(ILogger logger);

    [LoggerMessage(4012, LogLevel.Warning, "Spotify token request failed: {Error} (HTTP {Status})")]
    public static partial void TokenRequestFailed(ILogger logger, string? error, int status);

    [LoggerMessage(4013, LogLevel.Debug, "Audio features unavailable for this batch ({Failure}); keeping estimates")]
    public static partial void EnrichmentSkipped(ILogger logger, SpotifyFailure failure);

    [LoggerMessage(4014, LogLevel.Warning, "The stored Spotify secret of Discord user {DiscordUserId} cannot be decrypted ({Reason}); the link was removed")]
    public static partial void UndecryptableSecret(ILogger logger, string discordUserId, string reason);

    [LoggerMessage(4015, LogLevel.Warning, "Saving a playlist for Discord user {DiscordUserId} failed: {Failure}")]
    public static partial void PlaylistFailed(ILogger logger, string discordUserId, SpotifyFailure failure);

    [LoggerMessage(4016, LogLevel.Information, "Started {TrackCount} tracks on the Spotify device of Discord user {DiscordUserId}")]
    public static partial void PlaybackStarted(ILogger logger, int trackCount, string discordUserId);

    [LoggerMessage(4017, LogLevel.Information, "Playback for Discord user {DiscordUserId} did not start: {Problem} (HTTP {Status}) {SpotifyMessage}")]
    public static partial void PlaybackRefused(ILogger logger, string discordUserId, PlaybackProblem problem, int status, string? spotifyMessage);

    public static int Code(HttpStatusCode? status) => status is null ? 0 : (int)status.Value;
}
