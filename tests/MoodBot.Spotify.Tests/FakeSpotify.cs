using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MoodBot.Spotify.Tests;

/// <summary>A request the client sent, as the fake saw it.</summary>
internal sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string[]> Query, string Body, string? Authorization);

/// <summary>
/// A fake Spotify (Accounts service + Web API) on a real Kestrel listener at 127.0.0.1:0. Every Web API request is
/// checked against the shared OpenAPI file and every Accounts request against the documented OAuth parameters; any
/// deviation is recorded in <see cref="Violations"/> and answered 400, so a test that strays fails twice over.
/// </summary>
internal sealed partial class FakeSpotify : IAsyncDisposable
{
    public const string ClientId = "moodbot-test-client-id";
    public const string ClientSecret = "client-secret-5f0c2b9e7a41";
    private const string RequiredScopes = "playlist-modify-private playlist-modify-public user-modify-playback-state";

    private readonly WebApplication _app;
    private readonly OpenApiRequestValidator _spec = OpenApiRequestValidator.Instance;
    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private readonly ConcurrentDictionary<string, (string User, string Scopes)> _refreshTokens = new();
    private readonly ConcurrentDictionary<string, string?> _accessTokens = new();
    private readonly ConcurrentDictionary<string, string> _tokenScopes = new();
    private readonly List<Fault> _faults = [];
    private int _counter;

    private FakeSpotify(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public Uri ApiBaseUrl => new(BaseUrl, "v1");

    public ConcurrentQueue<string> Violations { get; } = new();

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>Every token, code and verifier that crossed the wire, for the no-secrets-in-logs check.</summary>
    public ConcurrentBag<string> Secrets { get; } = [ClientSecret];

    public ConcurrentDictionary<string, FakePlaylist> Playlists { get; } = new();

    public int AppTokenLifetimeSeconds { get; set; } = 3600;

    public TimeSpan TokenDelay { get; set; }

    public bool RotateRefreshTokens { get; set; }

    public bool DenyNextAuthorization { get; set; }

    public int TracksPerGenre { get; set; } = 35;

    /// <summary>A part of Spotify's seed list (the real one has about 130 names, all lowercase, words joined by '-').</summary>
    public static readonly string[] GenreSeeds =
        ["acoustic", "ambient", "blues", "chill", "classical", "country", "dance", "edm", "electronic", "folk", "happy", "hip-hop",
         "indie", "jazz", "latin", "metal", "pop", "r-n-b", "rock", "sad", "soul"];

    /// <summary>Status for /recommendations and its seed list; 404 is how Spotify answers apps created after November 2024.</summary>
    public HttpStatusCode? RecommendationsStatus { get; set; }

    public HttpStatusCode? AudioFeaturesStatus { get; set; }

    /// <summary>Development mode: the member is not on the app's user list (playlists and player refuse them).</summary>
    public bool PlaylistsForbidden { get; set; }

    /// <summary>What a member grants on the consent page (an older MoodBot asked for less).</summary>
    public string GrantedScopes { get; set; } = RequiredScopes;

    /// <summary>The member has Spotify open somewhere (else play answers 404 NO_ACTIVE_DEVICE).</summary>
    public bool ActiveDevice { get; set; } = true;

    /// <summary>The member's plan; the player answers 403 PREMIUM_REQUIRED for free accounts.</summary>
    public bool Premium { get; set; } = true;

    /// <summary>Tracks started with <c>PUT /me/player/play</c>, per Spotify user, in order.</summary>
    public ConcurrentQueue<(string User, IReadOnlyList<string> Uris)> Played { get; } = new();

    public static async Task<FakeSpotify> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSpotify(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    public int Count(string method, string pathPattern) =>
        Requests.Count(r => r.Method == method && Regex.IsMatch(r.Path, "^" + pathPattern + "$"));

    /// <summary>The next <paramref name="times"/> requests matching the route get <paramref name="status"/> (after <paramref name="delay"/>).</summary>
    /// <param name="skip">Matching requests to let through before the fault starts.</param>
    public void Fail(string method, string pathPattern, HttpStatusCode status, int times = 1, string? retryAfter = null, TimeSpan delay = default, int skip = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_faults)
        {
            _faults.Add(new Fault(method, pathPattern, status, times, retryAfter, delay) { Skip = skip });
        }
    }

    public void RevokeAccessTokens() => _accessTokens.Clear();

    public void RevokeRefreshTokens() => _refreshTokens.Clear();

    public bool IsValidRefreshToken(string token) => _refreshTokens.ContainsKey(token);

    public void AssertNoViolations() =>
        Assert.True(Violations.IsEmpty, "Requests the spec does not describe:\n" + string.Join("\n", Violations));

    /// <summary>The browser's part of the flow: open the authorize URL, get Spotify's redirect back to MoodBot.</summary>
    public static async Task<Uri> AuthorizeAsync(Uri authorizeUrl)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(authorizeUrl, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.Select(v => v ?? "").ToArray());
        var path = request.Path.Value ?? "/";
        Requests.Enqueue(new SeenRequest(request.Method, path, query, body, request.Headers.Authorization.FirstOrDefault()));

        var errors = path switch
        {
            _ when path.StartsWith("/v1/", StringComparison.Ordinal) => _spec.Validate(request.Method, path[3..], query, request.ContentType, body),
            "/authorize" => ValidateAuthorize(request.Method, query),
            "/api/token" => ValidateToken(request, query, body),
            _ => [$"{request.Method} {path}: not a Spotify endpoint"],
        };
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                Violations.Enqueue(e);
            }

            await ApiError(context, HttpStatusCode.BadRequest, "request does not match the spec");
            return;
        }

        if (TakeFault(request.Method, path) is { } fault)
        {
            if (fault.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(fault.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (fault.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = fault.RetryAfter;
            }

            await ApiError(context, fault.Status, "injected failure");
            return;
        }

        switch (path)
        {
            case "/authorize":
                Authorize(context, query);
                return;
            case "/api/token":
                await TokenAsync(context, body);
                return;
        }

        var user = Bearer(request.Headers.Authorization.FirstOrDefault(), out var valid);
        if (!valid)
        {
            await ApiError(context, HttpStatusCode.Unauthorized, "The access token expired");
            return;
        }

        await ApiAsync(context, request.Method, path[3..], query, body, user);
    }

    private string? Bearer(string? header, out bool valid)
    {
        valid = false;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        valid = _accessTokens.TryGetValue(header[7..], out var user);
        return user;
    }

    private async Task ApiAsync(HttpContext context, string method, string path, Dictionary<string, string[]> query, string body, string? user)
    {
        switch (method, path)
        {
            case ("GET", "/search"):
            {
                var q = query["q"][0];
                var genre = GenreQuery().Match(q) is { Success: true } m ? m.Groups[1].Value : q;
                var limit = int.Parse(query["limit"][0], CultureInfo.InvariantCulture);
                var offset = int.Parse(query["offset"][0], CultureInfo.InvariantCulture);
                var items = Enumerable.Range(offset, Math.Max(0, Math.Min(limit, TracksPerGenre - offset))).Select(i => TrackJson(genre, i)).ToArray();
                var next = offset + limit < TracksPerGenre ? $"{BaseUrl}v1/search?offset={offset + limit}" : null;
                await Json(context, HttpStatusCode.OK, new JsonObject
                {
                    ["tracks"] = new JsonObject
                    {
                        ["items"] = new JsonArray(items),
                        ["total"] = TracksPerGenre,
                        ["limit"] = limit,
                        ["offset"] = offset,
                        ["next"] = next,
                    },
                });
                return;
            }

            case ("GET", "/recommendations/available-genre-seeds"):
            {
                if (RecommendationsStatus is { } gone)
                {
                    await ApiError(context, gone, "Not found");
                    return;
                }

                await Json(context, HttpStatusCode.OK, new JsonObject { ["genres"] = new JsonArray(GenreSeeds.Select(g => (JsonNode?)g).ToArray()) });
                return;
            }

            case ("GET", "/recommendations"):
            {
                var unknown = query["seed_genres"][0].Split(',').Where(g => !GenreSeeds.Contains(g)).ToList();
                if (unknown.Count > 0)
                {
                    // Spotify's answer to a seed outside its list.
                    Violations.Enqueue("GET /recommendations with seed genres Spotify does not know: " + string.Join(", ", unknown));
                    await ApiError(context, HttpStatusCode.BadRequest, "invalid request");
                    return;
                }

                if (RecommendationsStatus is { } gone)
                {
                    await ApiError(context, gone, "Not found");
                    return;
                }

                var genre = query["seed_genres"][0].Split(',')[0];
                var limit = int.Parse(query["limit"][0], CultureInfo.InvariantCulture);
                await Json(context, HttpStatusCode.OK, new JsonObject
                {
                    ["tracks"] = new JsonArray(Enumerable.Range(500, limit).Select(i => TrackJson(genre, i)).ToArray()),
                    ["seeds"] = new JsonArray(),
                });
                return;
            }

            case ("GET", "/audio-features"):
            {
                if (AudioFeaturesStatus is { } gone)
                {
                    await ApiError(context, gone, "Forbidden");
                    return;
                }

                var features = query["ids"][0].Split(',').Select(id => (JsonNode?)new JsonObject
                {
                    ["id"] = id,
                    ["valence"] = Feature(id, 0),
                    ["energy"] = Feature(id, 1),
                    ["danceability"] = Feature(id, 2),
                    ["acousticness"] = Feature(id, 3),
                    ["tempo"] = 60 + (120 * Feature(id, 4)),
                }).ToArray();
                await Json(context, HttpStatusCode.OK, new JsonObject { ["audio_features"] = new JsonArray(features) });
                return;
            }

            case ("POST", "/me/playlists"):
            {
                if (user is null)
                {
                    Violations.Enqueue("POST /me/playlists with an app token: playlists need a member's token");
                    await ApiError(context, HttpStatusCode.Forbidden, "app token");
                    return;
                }

                if (PlaylistsForbidden)
                {
                    await ApiError(context, HttpStatusCode.Forbidden, "User not registered in the Developer Dashboard");
                    return;
                }

                var json = JsonNode.Parse(body)!;
                var id = Id("playlist", Interlocked.Increment(ref _counter));
                Playlists[id] = new FakePlaylist(user, json["name"]!.GetValue<string>(), json["description"]?.GetValue<string>(),
                    json["public"]?.GetValue<bool>() ?? true);
                await Json(context, HttpStatusCode.Created, new JsonObject
                {
                    ["id"] = id,
                    ["name"] = json["name"]!.GetValue<string>(),
                    ["external_urls"] = new JsonObject { ["spotify"] = $"https://open.spotify.com/playlist/{id}" },
                });
                return;
            }

            case ("PUT", "/me/player/play"):
            {
                // Spotify's order of checks as observed: a grant without the scope, dev-mode allow-list, Premium, then a device.
                var token = context.Request.Headers.Authorization.FirstOrDefault()?[7..] ?? "";
                if (user is null || !_tokenScopes.GetValueOrDefault(token, "").Split(' ').Contains("user-modify-playback-state"))
                {
                    await ApiError(context, HttpStatusCode.Forbidden, "Insufficient client scope");
                    return;
                }

                if (PlaylistsForbidden)
                {
                    await ApiError(context, HttpStatusCode.Forbidden, "User not registered in the Developer Dashboard");
                    return;
                }

                if (!Premium)
                {
                    await ApiError(context, HttpStatusCode.Forbidden, "Player command failed: Premium required", "PREMIUM_REQUIRED");
                    return;
                }

                if (!ActiveDevice)
                {
                    await ApiError(context, HttpStatusCode.NotFound, "Player command failed: No active device found", "NO_ACTIVE_DEVICE");
                    return;
                }

                var uris = JsonNode.Parse(body)?["uris"]?.AsArray().Select(u => u!.GetValue<string>()).ToList();
                if (uris is not { Count: > 0 } || uris.Any(u => !u.StartsWith("spotify:track:", StringComparison.Ordinal)))
                {
                    Violations.Enqueue($"PUT {path}: MoodBot must send its tracks as a non-empty 'uris' list of spotify:track: URIs, got {body}");
                }

                Played.Enqueue((user, uris ?? []));
                context.Response.StatusCode = (int)HttpStatusCode.NoContent;
                return;
            }

            case ("POST", _) when PlaylistItems().Match(path) is { Success: true } m:
            {
                if (!Playlists.TryGetValue(m.Groups[1].Value, out var playlist) || playlist.Owner != user)
                {
                    await ApiError(context, HttpStatusCode.NotFound, "No such playlist");
                    return;
                }

                var uris = JsonNode.Parse(body)!["uris"]!.AsArray().Select(u => u!.GetValue<string>()).ToList();
                if (uris.Count > 100)
                {
                    Violations.Enqueue($"POST {path}: {uris.Count} URIs in one call (Spotify's maximum is 100)");
                }

                lock (playlist.Uris)
                {
                    playlist.Uris.AddRange(uris);
                }

                await Json(context, HttpStatusCode.Created, new JsonObject { ["snapshot_id"] = "snap-" + Guid.NewGuid().ToString("N") });
                return;
            }

            default:
                Violations.Enqueue($"{method} {path}: described by the spec but not expected from MoodBot");
                await ApiError(context, HttpStatusCode.NotFound, "not faked");
                return;
        }
    }

    private void Authorize(HttpContext context, Dictionary<string, string[]> query)
    {
        var redirect = query["redirect_uri"][0];
        var state = query["state"][0];
        Secrets.Add(state);
        string location;
        if (DenyNextAuthorization)
        {
            DenyNextAuthorization = false;
            location = QueryHelpers.AddQueryString(redirect, new Dictionary<string, string?> { ["error"] = "access_denied", ["state"] = state });
        }
        else
        {
            var code = "code-" + RandomNumberGenerator.GetHexString(24, lowercase: true);
            Secrets.Add(code);
            _codes[code] = new Grant(query["code_challenge"][0], redirect, "spotify-user-" + Interlocked.Increment(ref _counter), GrantedScopes);
            location = QueryHelpers.AddQueryString(redirect, new Dictionary<string, string?> { ["code"] = code, ["state"] = state });
        }

        context.Response.StatusCode = (int)HttpStatusCode.Redirect;
        context.Response.Headers.Location = location;
    }

    private async Task TokenAsync(HttpContext context, string body)
    {
        if (TokenDelay > TimeSpan.Zero)
        {
            await Task.Delay(TokenDelay);
        }

        var form = QueryHelpers.ParseQuery(body);
        switch (form["grant_type"].ToString())
        {
            case "client_credentials":
                await Json(context, HttpStatusCode.OK, Issue(null, AppTokenLifetimeSeconds, refresh: false));
                return;
            case "authorization_code":
            {
                var verifier = form["code_verifier"].ToString();
                Secrets.Add(verifier);
                if (!_codes.TryRemove(form["code"].ToString(), out var grant))
                {
                    await OAuthError(context, "invalid_grant", "Invalid authorization code");
                    return;
                }

                var challenge = Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
                if (challenge != grant.Challenge || form["redirect_uri"] != grant.RedirectUri)
                {
                    await OAuthError(context, "invalid_grant", challenge != grant.Challenge ? "code_verifier was incorrect" : "Invalid redirect URI");
                    return;
                }

                await Json(context, HttpStatusCode.OK, Issue(grant.User, 3600, refresh: true, grant.Scopes));
                return;
            }

            case "refresh_token":
            {
                var old = form["refresh_token"].ToString();
                if (!_refreshTokens.TryGetValue(old, out var grant))
                {
                    await OAuthError(context, "invalid_grant", "Refresh token revoked");
                    return;
                }

                if (RotateRefreshTokens)
                {
                    _refreshTokens.TryRemove(old, out _);
                }

                await Json(context, HttpStatusCode.OK, Issue(grant.User, 3600, refresh: RotateRefreshTokens, grant.Scopes));
                return;
            }
        }
    }

    private JsonObject Issue(string? user, int lifetime, bool refresh, string scopes = "")
    {
        var access = "access-" + RandomNumberGenerator.GetHexString(32, lowercase: true);
        _accessTokens[access] = user;
        _tokenScopes[access] = scopes;
        Secrets.Add(access);
        var json = new JsonObject { ["access_token"] = access, ["token_type"] = "Bearer", ["expires_in"] = lifetime };
        if (user is not null)
        {
            json["scope"] = scopes;
        }

        if (refresh)
        {
            var token = "refresh-" + RandomNumberGenerator.GetHexString(32, lowercase: true);
            _refreshTokens[token] = (user!, scopes);
            Secrets.Add(token);
            json["refresh_token"] = token;
        }

        return json;
    }

    // Accounts endpoints are not in the Web API spec: checked against Spotify's documented OAuth parameters.
    private static List<string> ValidateAuthorize(string method, Dictionary<string, string[]> query)
    {
        var errors = new List<string>();
        if (method != "GET")
        {
            errors.Add($"{method} /authorize: must be GET");
        }

        Expect(query, "/authorize", errors, required: ["client_id", "response_type", "redirect_uri", "code_challenge_method", "code_challenge", "state", "scope"], optional: ["show_dialog"]);
        if (errors.Count > 0)
        {
            return errors;
        }

        Check(query["client_id"][0] == ClientId, "client_id is not the app's", errors);
        Check(query["response_type"][0] == "code", "response_type must be code", errors);
        Check(query["code_challenge_method"][0] == "S256", "code_challenge_method must be S256", errors);
        Check(Regex.IsMatch(query["code_challenge"][0], "^[A-Za-z0-9_-]{43}$"), "code_challenge must be base64url(SHA-256) without padding", errors);
        // 128 bits of entropy at least: 22 base64url characters.
        Check(Regex.IsMatch(query["state"][0], "^[A-Za-z0-9_-]{22,}$"), "state must be a random base64url value of >= 128 bits", errors);
        Check(query["scope"][0].Split(' ').Order().SequenceEqual(RequiredScopes.Split(' ').Order()), "scope must be exactly the playlist-modify and playback scopes", errors);
        Check(Uri.TryCreate(query["redirect_uri"][0], UriKind.Absolute, out var redirect) && redirect.Host != "localhost", "redirect_uri must be absolute and not localhost", errors);
        return errors;
    }

    private static List<string> ValidateToken(HttpRequest request, Dictionary<string, string[]> query, string body)
    {
        var errors = new List<string>();
        Check(request.Method == "POST", "token endpoint must be POST", errors);
        Check(query.Count == 0, "token parameters belong in the form body, never the URL", errors);
        Check(request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true, "token body must be form-encoded", errors);
        var form = QueryHelpers.ParseQuery(body).ToDictionary(f => f.Key, f => f.Value.Select(v => v ?? "").ToArray());
        var auth = request.Headers.Authorization.FirstOrDefault();
        switch (form.TryGetValue("grant_type", out var g) ? g[0] : null)
        {
            case "client_credentials":
                Expect(form, "/api/token (client_credentials)", errors, required: ["grant_type"], optional: []);
                Check(auth == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}")),
                    "client_credentials needs HTTP Basic client_id:client_secret", errors);
                break;
            case "authorization_code":
                Expect(form, "/api/token (authorization_code)", errors, required: ["grant_type", "code", "redirect_uri", "client_id", "code_verifier"], optional: []);
                Check(form.GetValueOrDefault("client_id")?[0] == ClientId, "client_id is not the app's", errors);
                Check(form.TryGetValue("code_verifier", out var v) && Regex.IsMatch(v[0], "^[A-Za-z0-9._~-]{43,128}$"), "code_verifier must be 43-128 unreserved characters", errors);
                Check(auth is null, "PKCE exchange sends no client secret", errors);
                break;
            case "refresh_token":
                Expect(form, "/api/token (refresh_token)", errors, required: ["grant_type", "refresh_token", "client_id"], optional: []);
                Check(form.GetValueOrDefault("client_id")?[0] == ClientId, "client_id is not the app's", errors);
                break;
            default:
                errors.Add("/api/token: unknown grant_type");
                break;
        }

        return errors;
    }

    private static void Expect(Dictionary<string, string[]> values, string where, List<string> errors, string[] required, string[] optional)
    {
        errors.AddRange(required.Where(r => !values.TryGetValue(r, out var v) || v.Length != 1 || v[0].Length == 0).Select(r => $"{where}: '{r}' is required once"));
        errors.AddRange(values.Keys.Except(required).Except(optional).Select(k => $"{where}: '{k}' is not a documented parameter"));
    }

    private static void Check(bool ok, string message, List<string> errors)
    {
        if (!ok)
        {
            errors.Add(message);
        }
    }

    private Fault? TakeFault(string method, string path)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Method == method && Regex.IsMatch(path, "^" + f.PathPattern + "$"));
            if (fault is null)
            {
                return null;
            }

            if (fault.Skip > 0)
            {
                fault.Skip--;
                return null;
            }

            if (--fault.Times == 0)
            {
                _faults.Remove(fault);
            }

            return fault;
        }
    }

    public static string Id(string kind, int index)
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}:{index}"));
        return new string(hash.Take(22).Select(b => alphabet[b % 62]).ToArray());
    }

    public static double Feature(string id, int which) => SHA256.HashData(Encoding.UTF8.GetBytes(id))[which] / 255.0;

    private static JsonObject TrackJson(string genre, int index)
    {
        var id = Id(genre, index);
        return new JsonObject
        {
            ["id"] = id,
            ["name"] = $"{genre} song {index}",
            ["uri"] = "spotify:track:" + id,
            ["popularity"] = index % 100,
            ["is_local"] = false,
            ["artists"] = new JsonArray(new JsonObject { ["id"] = Id("artist", index), ["name"] = $"Artist {index}" }),
        };
    }

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Task Json(HttpContext context, HttpStatusCode status, JsonNode body)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    /// <param name="reason">What the player endpoints add (Spotify's player error reasons).</param>
    private static Task ApiError(HttpContext context, HttpStatusCode status, string message, string? reason = null)
    {
        var error = new JsonObject { ["status"] = (int)status, ["message"] = message };
        if (reason is not null)
        {
            error["reason"] = reason;
        }

        return Json(context, status, new JsonObject { ["error"] = error });
    }

    private static Task OAuthError(HttpContext context, string error, string description) =>
        Json(context, HttpStatusCode.BadRequest, new JsonObject { ["error"] = error, ["error_description"] = description });

    [GeneratedRegex("^genre:\"([^\"]*)\"$")]
    private static partial Regex GenreQuery();

    [GeneratedRegex("^/playlists/([^/]+)/items$")]
    private static partial Regex PlaylistItems();

    private sealed record Grant(string Challenge, string RedirectUri, string User, string Scopes);

    private sealed class Fault(string method, string pathPattern, HttpStatusCode status, int times, string? retryAfter, TimeSpan delay)
    {
        public string Method { get; } = method;

        public string PathPattern { get; } = pathPattern;

        public HttpStatusCode Status { get; } = status;

        public int Times { get; set; } = times;

        public int Skip { get; set; }

        public string? RetryAfter { get; } = retryAfter;

        public TimeSpan Delay { get; } = delay;
    }
}

internal sealed record FakePlaylist(string Owner, string Name, string? Description, bool Public)
{
    public List<string> Uris { get; } = [];
}
