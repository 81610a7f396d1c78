using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace MoodBot.Discord.Rest;

/// <summary>A Discord API error; <see cref="Exception.Message"/> never contains the URL (it may hold an interaction token).</summary>
public sealed class DiscordRestException : Exception
{
    public DiscordRestException()
    {
    }

    public DiscordRestException(string message)
        : base(message)
    {
    }

    public DiscordRestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal DiscordRestException(HttpStatusCode status, int? code, string message)
        : base($"Discord answered {(int)status} (code {code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}): {message}")
    {
        Status = status;
        Code = code;
    }

    public HttpStatusCode Status { get; }

    public int? Code { get; }
}

/// <summary>The REST calls the bot makes (typed HttpClient; rate limits in <see cref="DiscordRateLimitHandler"/>).</summary>
internal sealed class DiscordRestClient
{
    private readonly HttpClient _http;
    private readonly string _base;

    public DiscordRestClient(HttpClient http, IOptions<DiscordOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        var o = options.Value;
        _base = o.ApiBaseUrl.ToString().TrimEnd('/');
        // Discord requires this User-Agent form for bots (reference: user agent).
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("DiscordBot (https://github.com/moodbot/moodbot, 1.0)");
        if (o.Enabled)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bot", o.Token);
        }
    }

    public async Task<GatewayBotResponse> GetGatewayBotAsync(CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, "/gateway/bot", new("GET /gateway/bot", string.Empty, false));
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<GatewayBotResponse>(DiscordJson.Options, cancellationToken).ConfigureAwait(false)
               ?? throw new DiscordRestException("empty /gateway/bot response");
    }

    public async Task CreateInteractionResponseAsync(string interactionId, string token, InteractionResponse body,
        CancellationToken cancellationToken)
    {
        var path = $"/interactions/{Esc(interactionId)}/{Esc(token)}/callback";
        using var request = Request(HttpMethod.Post, path,
            new("POST /interactions/{interaction_id}/{interaction_token}/callback", interactionId, GlobalExempt: true));
        request.Content = JsonContent.Create(body, options: DiscordJson.Options);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Edits the interaction's original response, uploading <paramref name="files"/> as <c>files[n]</c>.</summary>
    public async Task EditOriginalAsync(string applicationId, string token, MessagePayload body, IReadOnlyList<FileUpload>? files,
        CancellationToken cancellationToken)
    {
        var path = $"/webhooks/{Esc(applicationId)}/{Esc(token)}/messages/@original";
        using var request = Request(HttpMethod.Patch, path, WebhookRoute("PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original", token));
        request.Content = Body(body, files);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteOriginalAsync(string applicationId, string token, CancellationToken cancellationToken)
    {
        var path = $"/webhooks/{Esc(applicationId)}/{Esc(token)}/messages/@original";
        using var request = Request(HttpMethod.Delete, path, WebhookRoute("DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original", token));
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task CreateFollowupAsync(string applicationId, string token, MessagePayload body, IReadOnlyList<FileUpload>? files,
        CancellationToken cancellationToken)
    {
        var path = $"/webhooks/{Esc(applicationId)}/{Esc(token)}";
        using var request = Request(HttpMethod.Post, path, WebhookRoute("POST /webhooks/{webhook_id}/{webhook_token}", token));
        request.Content = Body(body, files);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the whole command set (global, or one guild's) in one idempotent PUT.</summary>
    public async Task BulkOverwriteCommandsAsync(string applicationId, string? guildId, IReadOnlyList<ApplicationCommand> commands,
        CancellationToken cancellationToken)
    {
        var (path, template) = string.IsNullOrEmpty(guildId)
            ? ($"/applications/{Esc(applicationId)}/commands", "PUT /applications/{application_id}/commands")
            : ($"/applications/{Esc(applicationId)}/guilds/{Esc(guildId)}/commands", "PUT /applications/{application_id}/guilds/{guild_id}/commands");
        using var request = Request(HttpMethod.Put, path, new(template, guildId ?? string.Empty, false));
        request.Content = JsonContent.Create(commands, options: DiscordJson.Options);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static DiscordRoute WebhookRoute(string template, string token) => new(template, token, GlobalExempt: true);

    private static string Esc(string s) => Uri.EscapeDataString(s);

    private HttpRequestMessage Request(HttpMethod method, string path, DiscordRoute route)
    {
        var request = new HttpRequestMessage(method, new Uri(_base + path));
        request.Options.Set(DiscordRoute.OptionKey, route);
        return request;
    }

    /// <summary>JSON alone, or multipart with <c>payload_json</c> + <c>files[n]</c> when there is something to upload.</summary>
    private static HttpContent Body(MessagePayload body, IReadOnlyList<FileUpload>? files)
    {
        var json = JsonContent.Create(body, options: DiscordJson.Options);
        if (files is not { Count: > 0 })
        {
            return json;
        }

        var multipart = new MultipartFormDataContent();
        multipart.Add(new StringContent(JsonSerializer.Serialize(body, DiscordJson.Options), System.Text.Encoding.UTF8, "application/json"), "payload_json");
        json.Dispose();
        for (var i = 0; i < files.Count; i++)
        {
            var part = new ReadOnlyMemoryContent(files[i].Content);
            part.Headers.ContentType = new MediaTypeHeaderValue(files[i].ContentType);
            multipart.Add(part, $"files[{i}]", files[i].FileName);
        }

        return multipart;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            int? code = null;
            var message = response.ReasonPhrase ?? "error";
            try
            {
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                var root = doc.RootElement;

                // Only read fields of the shape Discord documents; anything else (an array, a string code) is ignored.
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number &&
                    c.TryGetInt32(out var ci))
                {
                    code = ci;
                }

                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String &&
                    m.GetString() is { } ms)
                {
                    message = ms;
                }
            }
            catch (JsonException)
            {
                // Not a Discord error body (a proxy's page); the status says enough.
            }

            throw new DiscordRestException(response.StatusCode, code, message);
        }
    }
}
