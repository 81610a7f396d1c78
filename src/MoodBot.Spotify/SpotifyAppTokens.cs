using Microsoft.Extensions.Logging;

namespace MoodBot.Spotify;

/// <summary>
/// The app's client-credentials token: cached until shortly before it expires, fetched by one caller at a time
/// (others wait on the gate and reuse the result) so a burst of searches costs one token request.
/// </summary>
internal sealed class SpotifyAppTokens(SpotifyAccountsClient accounts, TimeProvider time, ILogger<SpotifyAppTokens> logger)
    : ISpotifyTokenSource, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile CachedToken? _current;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } cached && time.GetUtcNow() < cached.RenewAt)
        {
            return cached.Value;
        }

        return await FetchAsync(rejected: null, cancellationToken);
    }

    public Task<string> RenewAsync(string rejected, CancellationToken cancellationToken) => FetchAsync(rejected, cancellationToken);

    public void Dispose() => _gate.Dispose();

    private async Task<string> FetchAsync(string? rejected, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Someone else may have renewed while we waited.
            if (_current is { } cached && time.GetUtcNow() < cached.RenewAt && cached.Value != rejected)
            {
                return cached.Value;
            }

            var token = await accounts.ClientCredentialsAsync(cancellationToken);
            Log.AppTokenObtained(logger, token.ExpiresIn);
            _current = new CachedToken(token.AccessToken!, RenewAt(time.GetUtcNow(), token.ExpiresIn));
            return token.AccessToken!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Renew five minutes early (or halfway for short-lived tokens) so no call carries a token that expires in flight.</summary>
    internal static DateTimeOffset RenewAt(DateTimeOffset now, int expiresInSeconds)
    {
        var lifetime = TimeSpan.FromSeconds(expiresInSeconds);
        var early = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 2));
        return now + lifetime - early;
    }

    private sealed record CachedToken(string Value, DateTimeOffset RenewAt);
}
