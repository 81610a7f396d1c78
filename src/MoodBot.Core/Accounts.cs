namespace MoodBot.Core;

/// <summary>A pending Spotify authorisation: single-use, bound to one Discord user, short-lived.</summary>
/// <param name="ProtectedCodeVerifier">The PKCE verifier, encrypted by the Spotify layer before it is stored.</param>
public sealed record OAuthState(string State, string DiscordUserId, string ProtectedCodeVerifier, DateTimeOffset ExpiresAt);

/// <summary>A member's linked Spotify account. The refresh token is ciphertext; only the Spotify layer can read it.</summary>
public sealed record LinkedAccount(string DiscordUserId, string ProtectedRefreshToken, DateTimeOffset LinkedAt);

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
}
