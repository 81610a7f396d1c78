using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MoodBot.Spotify;

/// <summary>
/// Spotify's Accounts service (<c>POST /api/token</c>): client credentials for the app, Authorization Code + PKCE for
/// members. Typed HttpClient; every call is a POST, so the resilience pipeline never retries it (a code is single-use
/// and a refresh token may rotate: a blind replay could burn the grant).
/// </summary>
internal sealed class SpotifyAccountsClient(HttpClient http, IOptions<SpotifyOptions> options, ILogger<SpotifyAccountsClient> logger)
{
    private readonly SpotifyOptions _options = options.Value;

    public Task<TokenResponse> ClientCredentialsAsync(CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        // Spotify documents HTTP Basic client authentication for this grant.
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.ClientId}:{_options.ClientSecret}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        return SendAsync(request, cancellationToken);
    }

    /// <summary>PKCE exchange: the verifier proves we started this authorisation; no client secret is sent.</summary>
    public Task<TokenResponse> ExchangeCodeAsync(string code, string codeVerifier, Uri redirectUri, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/token")
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "authorization_code"),
                new("code", code),
                new("redirect_uri", redirectUri.OriginalString),
                new("client_id", _options.ClientId!),
                new("code_verifier", codeVerifier),
            ]),
        };
        return SendAsync(request, cancellationToken);
    }

    /// <summary>PKCE refresh (client id only). The answer may carry a new refresh token that replaces the old one.</summary>
    public Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/token")
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "refresh_token"),
                new("refresh_token", refreshToken),
                new("client_id", _options.ClientId!),
            ]),
        };
        return SendAsync(request, cancellationToken);
    }

    private async Task<TokenResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SpotifyHttp.SendAsync(http, request, "token request", cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var token = Parse(body, SpotifyJsonContext.Default.TokenResponse);
                if (string.IsNullOrEmpty(token?.AccessToken) || token.ExpiresIn <= 0)
                {
                    throw new SpotifyException(SpotifyFailure.Unavailable, "Spotify's token answer had no usable access token.", response.StatusCode);
                }

                return token;
            }

            var error = Parse(body, SpotifyJsonContext.Default.OAuthError);
            Log.TokenRequestFailed(logger, error?.Error, (int)response.StatusCode);
            var failure = error?.Error switch
            {
                "invalid_grant" => SpotifyFailure.InvalidGrant,
                _ => SpotifyHttp.Classify(response.StatusCode),
            };
            var message = failure == SpotifyFailure.InvalidGrant
                ? "Spotify no longer accepts this authorisation (revoked, expired or already used)."
                : $"Spotify's token request failed with HTTP {(int)response.StatusCode} ({error?.Error ?? "no error code"}).";
            throw new SpotifyException(failure, message, response.StatusCode, SpotifyHttp.RetryAfter(response));
        }
    }

    private static T? Parse<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return body.Length == 0 ? default : JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}

/// <summary>Shared HTTP plumbing: failures become <see cref="SpotifyException"/>s with plain messages.</summary>
internal static class SpotifyHttp
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException e)
        {
            throw new SpotifyException(SpotifyFailure.Unavailable, $"Spotify is failing repeatedly; {operation} is paused for a few seconds.", inner: e);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException or OperationCanceledException)
        {
            throw new SpotifyException(SpotifyFailure.Unavailable, $"Spotify did not answer the {operation} in time.", inner: e);
        }
    }

    public static SpotifyFailure Classify(HttpStatusCode status) => (int)status switch
    {
        400 => SpotifyFailure.BadRequest,
        401 => SpotifyFailure.Unauthorized,
        403 => SpotifyFailure.Forbidden,
        404 => SpotifyFailure.NotFound,
        429 => SpotifyFailure.RateLimited,
        _ => SpotifyFailure.Unavailable,
    };

    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date && response.Headers.Date is { } now ? date - now : null;
    }
}
