namespace MoodBot.Spotify.Tests;

/// <summary>The conformance check itself must catch what it claims to, or a green suite proves nothing.</summary>
public sealed class SpecValidatorTests
{
    private static Dictionary<string, string[]> Q(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => new[] { p.Value });

    private static OpenApiRequestValidator Spec()
    {
        SharedData.Path("api-specs/spotify/fixed-spotify-open-api.yml");
        return OpenApiRequestValidator.Instance;
    }

    [Fact]
    public void Validate_DevModeSearch_IsClean() =>
        Assert.Empty(Spec().Validate("GET", "/search", Q(("q", "genre:\"pop\""), ("type", "track"), ("limit", "10"), ("offset", "20")), null, ""));

    [Fact]
    public void Validate_SearchLimitAboveTen_IsReported() =>
        Assert.Contains(Spec().Validate("GET", "/search", Q(("q", "x"), ("type", "track"), ("limit", "50")), null, ""), e => e.Contains("maximum", StringComparison.Ordinal));

    [Fact]
    public void Validate_MissingRequiredParameter_IsReported() =>
        Assert.Contains(Spec().Validate("GET", "/search", Q(("q", "x")), null, ""), e => e.Contains("'type'", StringComparison.Ordinal));

    [Fact]
    public void Validate_UnknownParameter_IsReported() =>
        Assert.NotEmpty(Spec().Validate("GET", "/search", Q(("q", "x"), ("type", "track"), ("size", "3")), null, ""));

    [Fact]
    public void Validate_BadEnumValue_IsReported() =>
        Assert.NotEmpty(Spec().Validate("GET", "/search", Q(("q", "x"), ("type", "song")), null, ""));

    [Fact]
    public void Validate_RemovedUserPlaylistsRoute_PostUnknownPath_IsReported() =>
        Assert.NotEmpty(Spec().Validate("POST", "/users/abc/playlists/extra", Q(), "application/json", "{\"name\":\"x\"}"));

    [Fact]
    public void Validate_WrongMethod_IsReported() =>
        Assert.NotEmpty(Spec().Validate("DELETE", "/search", Q(), null, ""));

    [Fact]
    public void Validate_CreatePlaylistWithoutName_IsReported() =>
        Assert.Contains(Spec().Validate("POST", "/me/playlists", Q(), "application/json", "{\"public\":false}"), e => e.Contains("schema", StringComparison.Ordinal));

    [Fact]
    public void Validate_CreatePlaylistWrongType_IsReported() =>
        Assert.NotEmpty(Spec().Validate("POST", "/me/playlists", Q(), "application/json", "{\"name\":\"x\",\"public\":\"no\"}"));

    [Fact]
    public void Validate_AddItems_IsClean() =>
        Assert.Empty(Spec().Validate("POST", "/playlists/abc/items", Q(), "application/json", "{\"uris\":[\"spotify:track:1\"]}"));

    [Fact]
    public void Validate_AddItemsUrisNotArray_IsReported() =>
        Assert.NotEmpty(Spec().Validate("POST", "/playlists/abc/items", Q(), "application/json", "{\"uris\":\"spotify:track:1\"}"));

    [Fact]
    public void Validate_RecommendationsTargetOutOfRange_IsReported() =>
        Assert.NotEmpty(Spec().Validate("GET", "/recommendations", Q(("seed_genres", "pop"), ("target_valence", "1.5")), null, ""));

    [Fact]
    public void Validate_PlayTrackUris_IsClean() =>
        Assert.Empty(Spec().Validate("PUT", "/me/player/play", Q(), "application/json", "{\"uris\":[\"spotify:track:1\",\"spotify:track:2\"]}"));

    [Fact]
    public void Validate_PlayUrisNotArray_IsReported() =>
        Assert.NotEmpty(Spec().Validate("PUT", "/me/player/play", Q(), "application/json", "{\"uris\":\"spotify:track:1\"}"));

    [Fact]
    public void Validate_PlayWithPost_IsReported() =>
        Assert.NotEmpty(Spec().Validate("POST", "/me/player/play", Q(), "application/json", "{\"uris\":[\"spotify:track:1\"]}"));
}
