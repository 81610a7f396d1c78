using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MoodBot.Core;

namespace MoodBot.Spotify;

/// <summary>
/// Members' access tokens, from their stored (encrypted) refresh tokens. One refresh per member at a time, because
/// Spotify may rotate the refresh token: two concurrent refreshes with the same old token could lose the new one.
/// A rotated refresh token is encrypted and stored before the access token is used.
/// </summary>
internal sealed class SpotifyUserTokens(
    ISpotifyLinkStore store,
    SpotifyAccountsClient accounts,
    TokenProtector protector,
    TimeProvider time,
    ILogger<SpotifyUserTokens> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public static string RefreshPurpose(string discordUserId) => "refresh:" + discordUserId;

    public ISpotifyTokenSource For(string discordUserId) => new Source(this, discordUserId);

    /// <summary>Keeps the access token from the code exchange, so the first playlist needs no refresh.</summary>
    public void Remember(string discordUserId, TokenResponse token)
    {
        var entry = _entries.GetOrAdd(discordUserId, _ => new Entry());
        entry.Token = new Cached(token.AccessToken!, SpotifyAppTokens.RenewAt(time.GetUtcNow(), token.ExpiresIn));
    }

    public void Forget(string discordUserId)
    {
        if (_entries.TryGetValue(discordUserId, out var entry))
        {
            entry.Token = null;
        }
    }

    private async Task<string> GetAsync(string discordUserId, string? rejected, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(discordUserId, _ => new Entry());
        if (rejected is null && entry.Token is { } cached && time.GetUtcNow() < cached.RenewAt)
        {
            return cached.Value;
        }

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            if (entry.Token is { } fresh && time.GetUtcNow() < fresh.RenewAt && fresh.Value != rejected)
            {
                return fresh.Value;
            }

            entry.Token = null;
            return await RefreshAsync(discordUserId, entry, retryOnRace: true, cancellationToken);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<string> RefreshAsync(string discordUserId, Entry entry, bool retryOnRace, CancellationToken cancellationToken)
    {
        var account = await store.GetAccountAsync(discordUserId, cancellationToken)
            ?? throw new SpotifyNotLinkedException();
        string refreshToken;
        try
        {
            refreshToken = protector.Unprotect(account.ProtectedRefreshToken, RefreshPurpose(discordUserId));
        }
        catch (CryptographicException e)
        {
            // Key changed or row damaged: the grant is unusable, so the member has to link again.
            Log.UndecryptableSecret(logger, discordUserId, e.Message);
            await store.DeleteAccountAsync(discordUserId, cancellationToken);
            throw new SpotifyException(SpotifyFailure.InvalidGrant, "The stored Spotify link can no longer be read; link again.", inner: e);
        }

        TokenResponse token;
        try
        {
            token = await accounts.RefreshAsync(refreshToken, cancellationToken);
        }
        catch (SpotifyException e) when (e.Failure == SpotifyFailure.InvalidGrant)
        {
            // Another instance may have rotated the token a moment ago: try once with what the store holds now.
            var now = await store.GetAccountAsync(discordUserId, cancellationToken);
            if (retryOnRace && now is not null && now.ProtectedRefreshToken != account.ProtectedRefreshToken)
            {
                return await RefreshAsync(discordUserId, entry, retryOnRace: false, cancellationToken);
            }

            Log.GrantRevoked(logger, discordUserId);
            await store.DeleteAccountAsync(discordUserId, cancellationToken);
            throw;
        }

        if (!string.IsNullOrEmpty(token.RefreshToken) && token.RefreshToken != refreshToken)
        {
            await store.SaveAccountAsync(account with { ProtectedRefreshToken = protector.Protect(token.RefreshToken, RefreshPurpose(discordUserId)) },
                cancellationToken);
            Log.RefreshTokenRotated(logger, discordUserId);
        }

        entry.Token = new Cached(token.AccessToken!, SpotifyAppTokens.RenewAt(time.GetUtcNow(), token.ExpiresIn));
        return token.AccessToken!;
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public volatile Cached? Token;
    }

    private sealed record Cached(string Value, DateTimeOffset RenewAt);

    private sealed class Source(SpotifyUserTokens owner, string discordUserId) : ISpotifyTokenSource
    {
        public Task<string> GetAsync(CancellationToken cancellationToken) => owner.GetAsync(discordUserId, null, cancellationToken);

        public Task<string> RenewAsync(string rejected, CancellationToken cancellationToken) => owner.GetAsync(discordUserId, rejected, cancellationToken);
    }
}

/// <summary>The member has no linked Spotify account.</summary>
public sealed class SpotifyNotLinkedException : Exception
{
    public SpotifyNotLinkedException()
        : base("No Spotify account is linked.")
    {
    }

    public SpotifyNotLinkedException(string message)
        : base(message)
    {
    }

    public SpotifyNotLinkedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
