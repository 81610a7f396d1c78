using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;

namespace MoodBot.Spotify;

public enum SpotifyCallbackStatus
{
    Linked,

    /// <summary>The member pressed "Cancel" on Spotify's consent page.</summary>
    Denied,

    /// <summary>The link was older than ten minutes.</summary>
    Expired,

    /// <summary>The state is unknown: used before, or never issued.</summary>
    AlreadyUsed,

    /// <summary>The request is not a well-formed callback.</summary>
    Invalid,

    /// <summary>Spotify or storage failed while finishing the link.</summary>
    Failed,

    NotConfigured,
}

/// <summary>What the callback did; <see cref="DiscordUserId"/> is set once the state was recognised.</summary>
public sealed record SpotifyCallbackOutcome(SpotifyCallbackStatus Status, string? DiscordUserId = null);

/// <summary>The raw callback parameters (each null when absent; a repeated parameter makes the callback invalid).</summary>
public sealed record SpotifyCallbackQuery(string? Code, string? State, string? Error, bool HasDuplicates = false);

/// <summary>The small page a member sees after Spotify sends them back. Everything dynamic is HTML-encoded.</summary>
public static class SpotifyCallbackPage
{
    public static int StatusCode(SpotifyCallbackStatus status) => status switch
    {
        SpotifyCallbackStatus.Linked or SpotifyCallbackStatus.Denied => (int)HttpStatusCode.OK,
        SpotifyCallbackStatus.Expired or SpotifyCallbackStatus.AlreadyUsed => (int)HttpStatusCode.Gone,
        SpotifyCallbackStatus.Invalid => (int)HttpStatusCode.BadRequest,
        SpotifyCallbackStatus.NotConfigured => (int)HttpStatusCode.NotFound,
        _ => (int)HttpStatusCode.BadGateway,
    };

    public static (string Title, string Message) Text(SpotifyCallbackStatus status) => status switch
    {
        SpotifyCallbackStatus.Linked => ("Spotify linked", "All set! MoodBot can now save mood playlists to your Spotify account. You can close this tab and go back to Discord."),
        SpotifyCallbackStatus.Denied => ("Linking cancelled", "No problem: nothing was linked. You can run the link command in Discord again whenever you like."),
        SpotifyCallbackStatus.Expired => ("Link expired", "This link was valid for 10 minutes and has expired. Ask MoodBot for a new one in Discord."),
        SpotifyCallbackStatus.AlreadyUsed => ("Link already used", "This link has already been used (each link works once). If your account isn't linked yet, ask MoodBot for a new link in Discord."),
        SpotifyCallbackStatus.Invalid => ("Something's missing", "This page expects to be opened by Spotify after you approve MoodBot. Ask MoodBot for a new link in Discord."),
        SpotifyCallbackStatus.NotConfigured => ("Spotify is off", "This MoodBot has no Spotify app configured."),
        _ => ("Spotify didn't finish", "Spotify couldn't complete the link just now. Please ask MoodBot for a new link in Discord and try again in a minute."),
    };

    public static string Render(SpotifyCallbackStatus status)
    {
        var (title, message) = Text(status);
        return Render(title, message);
    }

    public static string Render(string title, string message)
    {
        var html = HtmlEncoder.Default;
        return string.Create(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>MoodBot · {html.Encode(title)}</title>
            <style>body{"{"}font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222{"}"}h1{"{"}font-size:1.4rem{"}"}</style>
            </head><body><h1>{html.Encode(title)}</h1><p>{html.Encode(message)}</p></body></html>
            """);
    }
}
