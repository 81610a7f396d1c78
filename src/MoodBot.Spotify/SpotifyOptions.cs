using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace MoodBot.Spotify;

/// <summary>Configuration section <c>MoodBot:Spotify</c>. Without ClientId and ClientSecret the feature is off and the bot still runs.</summary>
public sealed class SpotifyOptions
{
    public const string Section = "MoodBot:Spotify";

    /// <summary>From the Spotify developer dashboard. Empty: Spotify is not configured.</summary>
    public string? ClientId { get; set; }

    /// <summary>From the dashboard; used only for the app (client credentials) token.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// Where Spotify sends members back after they approve, exactly as registered in the dashboard: HTTPS, or
    /// <c>http://127.0.0.1:&lt;port&gt;/spotify/callback</c> on a single machine. Spotify refuses <c>localhost</c>.
    /// Empty: search works, linking and playlists are off.
    /// </summary>
    public Uri? RedirectUri { get; set; }

    /// <summary>
    /// Base64 of 32 random bytes (<c>openssl rand -base64 32</c>): the AES-256-GCM key for refresh tokens and PKCE
    /// verifiers at rest. Required with <see cref="RedirectUri"/>. Every instance sharing a database needs the same key;
    /// changing it means members link again.
    /// </summary>
    public string? EncryptionKey { get; set; }

    [Required]
    public Uri ApiBaseUrl { get; set; } = new("https://api.spotify.com/v1");

    [Required]
    public Uri AccountsBaseUrl { get; set; } = new("https://accounts.spotify.com");

    /// <summary>ISO 3166-1 alpha-2 market for catalog calls (app tokens have no user country). Empty: any market.</summary>
    [RegularExpression("^[A-Z]{2}$")]
    public string? Market { get; set; }

    /// <summary>Time limit for one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time limit for a call including its retries and Retry-After waits.</summary>
    [Range(typeof(TimeSpan), "00:00:00.020", "00:10:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries for idempotent GETs (5xx, timeouts) and for any call Spotify answered 429.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff step; later ones grow exponentially, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest Retry-After MoodBot waits out; a longer one fails the call at once as "rate limited" so a member
    /// is not left staring at a spinner (Spotify can ask for minutes or hours when an app is over its quota).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether Spotify is usable at all (search, genre fill).</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);

    /// <summary>Whether members can link accounts and save playlists.</summary>
    public bool IsLinkingConfigured => IsConfigured && RedirectUri is not null && !string.IsNullOrWhiteSpace(EncryptionKey);
}

[OptionsValidator]
public sealed partial class SpotifyOptionsValidator : IValidateOptions<SpotifyOptions>;

/// <summary>Cross-field rules the attributes cannot express (Spotify's redirect URI rules, the key's size).</summary>
public sealed class SpotifyOptionsRulesValidator : IValidateOptions<SpotifyOptions>
{
    public ValidateOptionsResult Validate(string? name, SpotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClientId) != string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            failures.Add("MoodBot:Spotify needs both ClientId and ClientSecret (or neither, to run without Spotify).");
        }

        CheckBase(options.ApiBaseUrl, "ApiBaseUrl", failures);
        CheckBase(options.AccountsBaseUrl, "AccountsBaseUrl", failures);
        if (options.RedirectUri is { } redirect)
        {
            CheckRedirect(redirect, failures);
            if (string.IsNullOrWhiteSpace(options.EncryptionKey))
            {
                failures.Add("MoodBot:Spotify:EncryptionKey is required when RedirectUri is set (refresh tokens are stored encrypted); generate one with `openssl rand -base64 32`.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.EncryptionKey) && !TokenProtector.IsValidKey(options.EncryptionKey))
        {
            failures.Add("MoodBot:Spotify:EncryptionKey must be base64 of exactly 32 bytes (`openssl rand -base64 32`).");
        }

        if (options.TotalTimeout <= options.AttemptTimeout)
        {
            failures.Add("MoodBot:Spotify:TotalTimeout must be longer than AttemptTimeout.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckBase(Uri? uri, string key, List<string> failures)
    {
        if (uri is null || !uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"MoodBot:Spotify:{key} must be an absolute http(s) URL.");
        }
    }

    // Spotify's rules (April 2025): HTTPS, except loopback IP literals over http; "localhost" is refused outright.
    private static void CheckRedirect(Uri redirect, List<string> failures)
    {
        if (!redirect.IsAbsoluteUri)
        {
            failures.Add("MoodBot:Spotify:RedirectUri must be an absolute URL such as https://bot.example.com/spotify/callback.");
            return;
        }

        if (string.Equals(redirect.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("MoodBot:Spotify:RedirectUri may not use 'localhost' (Spotify refuses it); use http://127.0.0.1:<port>/spotify/callback instead.");
        }
        else if (redirect.Scheme == Uri.UriSchemeHttp && !(IPAddress.TryParse(redirect.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)))
        {
            failures.Add("MoodBot:Spotify:RedirectUri must use https (plain http is only allowed for 127.0.0.1 or [::1]).");
        }
        else if (redirect.Scheme != Uri.UriSchemeHttp && redirect.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add("MoodBot:Spotify:RedirectUri must be an https URL.");
        }

        if (!string.IsNullOrEmpty(redirect.Fragment))
        {
            failures.Add("MoodBot:Spotify:RedirectUri may not contain a fragment (#...).");
        }
    }
}
