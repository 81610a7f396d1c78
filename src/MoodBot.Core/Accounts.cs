namespace MoodBot.Core;

/// <summary>A pending Spotify authorisation: single-use, bound to one Discord user, short-lived.</summary>
/// <param name="ProtectedCodeVerifier">The PKCE verifier, encrypted by the Spotify layer before it is stored.</param>
public sealed record OAuthState(string State, string DiscordUserId, string ProtectedCodeVerifier, DateTimeOffset ExpiresAt);

/// <summary>A member's linked Spotify account. The refresh token is ciphertext; only the Spotify layer can read it.</summary>
/// <param name="Scopes">
/// What the member granted, space-separated as Spotify's token response lists them; null for a link made before MoodBot
/// recorded scopes (such a link predates playback control, so it is treated as lacking it).
/// </param>
public sealed record LinkedAccount(string DiscordUserId, string ProtectedRefreshToken, DateTimeOffset LinkedAt,
    string? Scopes = null);

/// <summary>Persistence for Spotify linking (implemented in MoodBot.Storage; in-memory in tests).</summary>
public interface ISpotifyLinkStore
{
    Task SaveStateAsync(OAuthState state, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically removes and returns the state, so a state can be redeemed once even with two instances. An expired
    /// state is returned too (the caller checks <see cref="OAuthState.ExpiresAt"/>); null means used before or never issued.
    /// </summary>
    Task<OAuthState?> TakeStateAsync(string state, CancellationToken cancellationToken);

    Task SaveAccountAsync(LinkedAccount account, CancellationToken cancellationToken);

    Task<LinkedAccount?> GetAccountAsync(string discordUserId, CancellationToken cancellationToken);

    Task<bool> DeleteAccountAsync(string discordUserId, CancellationToken cancellationToken);
}

/// <summary>Outcome of saving a playlist for a member; <see cref="Message"/> is safe to show them.</summary>
public sealed record PlaylistResult(bool Success, string Message, string? PlaylistUrl = null, PlaylistProblem Problem = PlaylistProblem.None);

public enum PlaylistProblem
{
    None,
    NotLinked,
    LinkExpired,
    NotAllowed,
    RateLimited,
    Unavailable,
}

/// <summary>Spotify account linking and playlists, as the Discord layer sees them.</summary>
public interface ISpotifyLinking
{
    bool IsConfigured { get; }

    /// <summary>A one-time authorize URL for this member (valid 10 minutes).</summary>
    Task<Uri> CreateAuthorizeUrlAsync(string discordUserId, CancellationToken cancellationToken);

    Task<bool> IsLinkedAsync(string discordUserId, CancellationToken cancellationToken);

    Task<bool> UnlinkAsync(string discordUserId, CancellationToken cancellationToken);

    Task<PlaylistResult> SavePlaylistAsync(string discordUserId, string name, string description, IReadOnlyList<string> trackIds,
        CancellationToken cancellationToken);

    /// <summary>Starts the tracks, in order, on the member's active Spotify device (Spotify Premium only).</summary>
    Task<PlaybackProblem> PlayAsync(string discordUserId, IReadOnlyList<string> trackIds, CancellationToken cancellationToken);
}

/// <summary>
/// Why playback did not start (<see cref="None"/>: it did). The Discord layer words each one for the member, so the
/// sentences can be translated there.
/// </summary>
public enum PlaybackProblem
{
    None,

    /// <summary>No Spotify account is linked.</summary>
    NotLinked,

    /// <summary>The link predates playback control (its grant lacks <c>user-modify-playback-state</c>): link again.</summary>
    ScopeMissing,

    /// <summary>The grant was revoked or expired: link again.</summary>
    LinkExpired,

    /// <summary>Spotify has no device playing or recently active for this member (404 NO_ACTIVE_DEVICE).</summary>
    NoActiveDevice,

    /// <summary>Playback control needs Spotify Premium (403 PREMIUM_REQUIRED).</summary>
    PremiumRequired,

    /// <summary>Another 403: in development mode, the member's account is not on the app's allow-list.</summary>
    NotAllowed,

    RateLimited,

    Unavailable,
}
