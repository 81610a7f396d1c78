using System.Net;

namespace MoodBot.Spotify;

/// <summary>What went wrong, in the terms callers act on.</summary>
public enum SpotifyFailure
{
    /// <summary>The access token was refused even after a fresh one.</summary>
    Unauthorized,

    /// <summary>403: scopes, dev-mode allow-list, Premium, or an endpoint closed to this app.</summary>
    Forbidden,

    NotFound,

    /// <summary>429 with a Retry-After longer than we wait (see <see cref="SpotifyException.RetryAfter"/>).</summary>
    RateLimited,

    /// <summary>5xx, timeouts, network errors or an open circuit: Spotify is not answering well right now.</summary>
    Unavailable,

    /// <summary>The member's grant is revoked or expired (OAuth invalid_grant): they must link again.</summary>
    InvalidGrant,

    /// <summary>Spotify said the request was wrong (a bug on our side, never retried).</summary>
    BadRequest,
}

/// <summary>A Spotify call failed. The message never contains tokens, codes or verifiers.</summary>
public sealed class SpotifyException : Exception
{
    public SpotifyException(SpotifyFailure failure, string message, HttpStatusCode? status = null, TimeSpan? retryAfter = null, Exception? inner = null,
        string? reason = null)
        : base(message, inner)
    {
        Failure = failure;
        Status = status;
        RetryAfter = retryAfter;
        Reason = reason;
    }

    public SpotifyException()
        : this(SpotifyFailure.Unavailable, "Spotify call failed.")
    {
    }

    public SpotifyException(string message)
        : this(SpotifyFailure.Unavailable, message)
    {
    }

    public SpotifyException(string message, Exception innerException)
        : this(SpotifyFailure.Unavailable, message, inner: innerException)
    {
    }

    public SpotifyFailure Failure { get; }

    public HttpStatusCode? Status { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>The error's <c>reason</c>, which the player endpoints send (e.g. <c>PREMIUM_REQUIRED</c>); null elsewhere.</summary>
    public string? Reason { get; }

    /// <summary>Spotify's own error message, when it sent one (never a secret: it describes the request).</summary>
    public string? SpotifyMessage { get; init; }
}
