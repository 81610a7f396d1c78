using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Spotify;

/// <summary>
/// Account linking (Authorization Code + PKCE S256) and playlists in the member's account.
/// </summary>
public sealed class SpotifyLinking : ISpotifyLinking
{
    /// <summary>The scope <c>PUT /me/player/play</c> needs (the "▶ Play on Spotify" button).</summary>
    public const string PlaybackScope = "user-modify-playback-state";

    /// <summary>
    /// Saving playlists and starting playback need nothing else: no reading of the member's library, profile or what
    /// they are listening to.
    /// </summary>
    public const string Scopes = "playlist-modify-private playlist-modify-public " + PlaybackScope;

    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);

    private readonly ISpotifyLinkStore _store;
    private readonly SpotifyAccountsClient _accounts;
    private readonly SpotifyApiClient _api;
    private readonly SpotifyUserTokens _userTokens;
    private readonly TokenProtector _protector;
    private readonly PlaylistLedger _ledger;
    private readonly TimeProvider _time;
    private readonly SpotifyOptions _options;
    private readonly ILogger<SpotifyLinking> _logger;

    internal SpotifyLinking(ISpotifyLinkStore store, SpotifyAccountsClient accounts, SpotifyApiClient api, SpotifyUserTokens userTokens,
        TokenProtector protector, PlaylistLedger ledger, TimeProvider time, IOptions<SpotifyOptions> options, ILogger<SpotifyLinking> logger)
    {
        _store = store;
        _accounts = accounts;
        _api = api;
        _userTokens = userTokens;
        _protector = protector;
        _ledger = ledger;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    public bool IsConfigured => _options.IsLinkingConfigured;

    public async Task<Uri> CreateAuthorizeUrlAsync(string discordUserId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(discordUserId);
        EnsureConfigured();
        var state = Pkce.CreateState();
        var verifier = Pkce.CreateVerifier();
        // The verifier is a secret until the exchange: stored encrypted and bound to its state.
        await _store.SaveStateAsync(new OAuthState(state, discordUserId, _protector.Protect(verifier, VerifierPurpose(state)),
            _time.GetUtcNow() + StateLifetime), cancellationToken);
        var url = QueryHelpers.AddQueryString(new Uri(_options.AccountsBaseUrl, "authorize").ToString(), new Dictionary<string, string?>
        {
            ["client_id"] = _options.ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = _options.RedirectUri!.OriginalString,
            ["code_challenge_method"] = "S256",
            ["code_challenge"] = Pkce.Challenge(verifier),
            ["state"] = state,
            ["scope"] = Scopes,
        });
        return new Uri(url);
    }

    /// <summary>
    /// Finishes a link from Spotify's redirect. The state is taken (deleted) first, so it works once even when two
    /// instances or a double-click race; a denial or expiry also consumes it.
    /// </summary>
    public async Task<SpotifyCallbackOutcome> HandleCallbackAsync(SpotifyCallbackQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var outcome = await HandleCoreAsync(query, cancellationToken);
        Log.CallbackHandled(_logger, outcome.Status);
        return outcome;
    }

    private async Task<SpotifyCallbackOutcome> HandleCoreAsync(SpotifyCallbackQuery query, CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return new(SpotifyCallbackStatus.NotConfigured);
        }

        if (query.HasDuplicates || string.IsNullOrEmpty(query.State) || query.State.Length > 200)
        {
            return new(SpotifyCallbackStatus.Invalid);
        }

        var pending = await _store.TakeStateAsync(query.State, cancellationToken);
        if (pending is null)
        {
            return new(SpotifyCallbackStatus.AlreadyUsed);
        }

        var user = pending.DiscordUserId;
        if (_time.GetUtcNow() > pending.ExpiresAt)
        {
            return new(SpotifyCallbackStatus.Expired, user);
        }

        if (!string.IsNullOrEmpty(query.Error))
        {
            // Spotify sends error=access_denied when the member cancels; anything else is a failure on its side.
            return new(query.Error == "access_denied" ? SpotifyCallbackStatus.Denied : SpotifyCallbackStatus.Failed, user);
        }

        if (string.IsNullOrEmpty(query.Code))
        {
            return new(SpotifyCallbackStatus.Invalid, user);
        }

        try
        {
            var verifier = _protector.Unprotect(pending.ProtectedCodeVerifier, VerifierPurpose(pending.State));
            var token = await _accounts.ExchangeCodeAsync(query.Code, verifier, _options.RedirectUri!, cancellationToken);
            if (string.IsNullOrEmpty(token.RefreshToken))
            {
                return new(SpotifyCallbackStatus.Failed, user);
            }

            // RFC 6749 §5.1: the token response may leave out scope when it is exactly what was asked for.
            await _store.SaveAccountAsync(new LinkedAccount(user, _protector.Protect(token.RefreshToken, SpotifyUserTokens.RefreshPurpose(user)),
                _time.GetUtcNow(), string.IsNullOrWhiteSpace(token.Scope) ? Scopes : token.Scope), cancellationToken);
            _userTokens.Remember(user, token);
            Log.Linked(_logger, user);
            return new(SpotifyCallbackStatus.Linked, user);
        }
        catch (SpotifyException e)
        {
            Log.CallFailed(_logger, "code exchange", e.Failure, Log.Code(e.Status), null);
            return new(SpotifyCallbackStatus.Failed, user);
        }
        catch (CryptographicException)
        {
            return new(SpotifyCallbackStatus.Failed, user);
        }
    }

    public async Task<bool> IsLinkedAsync(string discordUserId, CancellationToken cancellationToken) =>
        await _store.GetAccountAsync(discordUserId, cancellationToken) is not null;

    public async Task<bool> UnlinkAsync(string discordUserId, CancellationToken cancellationToken)
    {
        _userTokens.Forget(discordUserId);
        var removed = await _store.DeleteAccountAsync(discordUserId, cancellationToken);
        if (removed)
        {
            Log.Unlinked(_logger, discordUserId);
        }

        return removed;
    }

    /// <summary>
    /// Creates a private playlist, then adds the tracks in batches of 100. Creating is never retried blindly: the
    /// playlist id is remembered per request (member + name + description + tracks) before any item is added, so a
    /// repeat of the same request, after a partial failure or a double-click, continues that playlist instead of
    /// making a second one.
    /// </summary>
    public async Task<PlaylistResult> SavePlaylistAsync(string discordUserId, string name, string description, IReadOnlyList<string> trackIds,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(discordUserId);
        ArgumentNullException.ThrowIfNull(trackIds);
        if (!IsConfigured)
        {
            return new(false, "Spotify isn't set up on this MoodBot, so playlists can't be saved.", Problem: PlaylistProblem.Unavailable);
        }

        var uris = trackIds.Select(ToUri).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (uris.Count == 0)
        {
            return new(false, "There are no tracks to save.", Problem: PlaylistProblem.Unavailable);
        }

        name = string.IsNullOrWhiteSpace(name) ? $"MoodBot · {_time.GetUtcNow():yyyy-MM-dd}" : name.Trim();
        var entry = _ledger.Get(Key(discordUserId, name, description, uris));
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            var tokens = _userTokens.For(discordUserId);
            if (entry.PlaylistId is null)
            {
                var created = await _api.CreatePlaylistAsync(name, description ?? "", tokens, cancellationToken);
                if (string.IsNullOrEmpty(created.Id))
                {
                    throw new SpotifyException(SpotifyFailure.Unavailable, "Spotify created a playlist without an id.");
                }

                entry.PlaylistId = created.Id;
                entry.Url = created.ExternalUrls?.Spotify ?? $"https://open.spotify.com/playlist/{created.Id}";
            }

            var batches = uris.Chunk(SpotifyApiClient.MaxItemsPerAdd).ToList();
            while (entry.BatchesAdded < batches.Count)
            {
                await _api.AddItemsAsync(entry.PlaylistId, batches[entry.BatchesAdded], tokens, cancellationToken);
                entry.BatchesAdded++;
            }

            Log.PlaylistSaved(_logger, uris.Count, discordUserId);
            return new(true, $"Saved {uris.Count} tracks to your Spotify playlist \"{name}\".", entry.Url);
        }
        catch (SpotifyNotLinkedException)
        {
            return new(false, "Link your Spotify account first (use the link command), then save again.", Problem: PlaylistProblem.NotLinked);
        }
        catch (SpotifyException e)
        {
            return Explain(discordUserId, e, entry.PlaylistId is not null);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// Starts the tracks on the member's active device. A link whose stored scopes lack <see cref="PlaybackScope"/> (made
    /// before the button existed) is not tried: the member is asked to link again, and only when they press the button.
    /// </summary>
    public async Task<PlaybackProblem> PlayAsync(string discordUserId, IReadOnlyList<string> trackIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(discordUserId);
        ArgumentNullException.ThrowIfNull(trackIds);
        var uris = trackIds.Select(ToUri).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (!IsConfigured || uris.Count == 0)
        {
            return PlaybackProblem.Unavailable;
        }

        var account = await _store.GetAccountAsync(discordUserId, cancellationToken);
        if (account is null)
        {
            return PlaybackProblem.NotLinked;
        }

        if (!HasScope(account.Scopes, PlaybackScope))
        {
            Log.PlaybackRefused(_logger, discordUserId, PlaybackProblem.ScopeMissing, 0, "stored link predates the playback scope");
            return PlaybackProblem.ScopeMissing;
        }

        try
        {
            await _api.PlayAsync(uris, _userTokens.For(discordUserId), cancellationToken);
            Log.PlaybackStarted(_logger, uris.Count, discordUserId);
            return PlaybackProblem.None;
        }
        catch (SpotifyNotLinkedException)
        {
            return PlaybackProblem.NotLinked;
        }
        catch (SpotifyException e)
        {
            var problem = Classify(e);
            if (problem == PlaybackProblem.LinkExpired)
            {
                _userTokens.Forget(discordUserId);
            }

            Log.PlaybackRefused(_logger, discordUserId, problem, Log.Code(e.Status), e.SpotifyMessage);
            return problem;
        }
    }

    /// <summary>
    /// Spotify's player errors carry a <c>reason</c> (docs: Player error reasons); a 403 without one is the development-mode
    /// allow-list, or, for a grant without the playback scope, "Insufficient client scope".
    /// </summary>
    internal static PlaybackProblem Classify(SpotifyException e) => e.Failure switch
    {
        SpotifyFailure.InvalidGrant or SpotifyFailure.Unauthorized => PlaybackProblem.LinkExpired,
        SpotifyFailure.NotFound => PlaybackProblem.NoActiveDevice,
        SpotifyFailure.Forbidden when e.Reason == "PREMIUM_REQUIRED" => PlaybackProblem.PremiumRequired,
        SpotifyFailure.Forbidden when e.SpotifyMessage?.Contains("scope", StringComparison.OrdinalIgnoreCase) == true => PlaybackProblem.ScopeMissing,
        SpotifyFailure.Forbidden => PlaybackProblem.NotAllowed,
        SpotifyFailure.RateLimited => PlaybackProblem.RateLimited,
        _ when e.Reason == "NO_ACTIVE_DEVICE" => PlaybackProblem.NoActiveDevice,
        _ => PlaybackProblem.Unavailable,
    };

    private static bool HasScope(string? granted, string scope) =>
        granted?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal) == true;

    private PlaylistResult Explain(string discordUserId, SpotifyException e, bool created)
    {
        var partly = created ? " The playlist was created; saving again adds the missing tracks." : "";
        switch (e.Failure)
        {
            case SpotifyFailure.InvalidGrant or SpotifyFailure.Unauthorized:
                _userTokens.Forget(discordUserId);
                Log.PlaylistFailed(_logger, discordUserId, e.Failure);
                return new(false, "Your Spotify link has expired or was revoked. Please link your Spotify account again.", Problem: PlaylistProblem.LinkExpired);
            case SpotifyFailure.Forbidden:
                Log.PlaylistForbidden(_logger, discordUserId, Log.Code(e.Status), e.Message);
                return new(false,
                    "Spotify refused to save the playlist. This bot's Spotify app is in development mode: only accounts its operator added " +
                    "in the Spotify developer dashboard (at most 5) can use it, and the operator needs Spotify Premium. Ask the bot's operator to add your Spotify account.",
                    Problem: PlaylistProblem.NotAllowed);
            case SpotifyFailure.RateLimited:
                Log.PlaylistFailed(_logger, discordUserId, e.Failure);
                var wait = e.RetryAfter is { } r ? $" in about {Math.Max(1, Math.Ceiling(r.TotalSeconds)):0} seconds" : " in a minute";
                return new(false, $"Spotify is busy right now. Please try again{wait}.{partly}", Problem: PlaylistProblem.RateLimited);
            default:
                Log.PlaylistFailed(_logger, discordUserId, e.Failure);
                return new(false, $"Spotify didn't answer properly, so the playlist wasn't saved completely. Please try again in a minute.{partly}",
                    Problem: PlaylistProblem.Unavailable);
        }
    }

    private void EnsureConfigured()
    {
        if (!IsConfigured)
        {
            throw new InvalidOperationException(
                "Spotify linking is not configured (MoodBot:Spotify:ClientId, ClientSecret, RedirectUri and EncryptionKey).");
        }
    }

    private static string VerifierPurpose(string state) => "pkce:" + state;

    private static string? ToUri(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        id = id.Trim();
        return id.StartsWith("spotify:track:", StringComparison.Ordinal) ? id : id.All(char.IsAsciiLetterOrDigit) ? "spotify:track:" + id : null;
    }

    private static string Key(string user, string name, string? description, IReadOnlyList<string> uris)
    {
        var text = string.Join('\n', [user, name, description ?? "", .. uris]);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>Playlists created per save request, kept for an hour so repeats continue them instead of duplicating.</summary>
internal sealed class PlaylistLedger(TimeProvider time)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public Entry Get(string key)
    {
        var now = time.GetUtcNow();
        foreach (var (k, e) in _entries)
        {
            if (now - e.Created > Keep && e.Gate.CurrentCount == 1)
            {
                _entries.TryRemove(k, out _);
            }
        }

        return _entries.GetOrAdd(key, _ => new Entry(now));
    }

    internal sealed class Entry(DateTimeOffset created)
    {
        public DateTimeOffset Created { get; } = created;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public string? PlaylistId { get; set; }

        public string? Url { get; set; }

        public int BatchesAdded { get; set; }
    }
}
