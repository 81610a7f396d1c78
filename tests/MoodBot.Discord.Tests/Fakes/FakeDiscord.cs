using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>One REST request the bot sent, as the fake saw it.</summary>
internal sealed record RecordedRequest(
    string Method,
    string Path,
    string? ContentType,
    JsonElement? Json,
    IReadOnlyDictionary<string, byte[]> Files,
    string? Authorization,
    long Timestamp)
{
    public bool Is(string method, string pathPrefix) =>
        Method == method && Path.StartsWith(pathPrefix, StringComparison.Ordinal);
}

/// <summary>What a test wants the fake to answer instead of the default.</summary>
internal sealed record FakeResponse(int Status, string? Json = null, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A stand-in for Discord on 127.0.0.1:0: the gateway (WebSocket), the REST API under <c>/api/v10</c> (every request
/// checked against openapi.json), and a CDN under <c>/cdn</c>. Tests script the gateway side step by step.
/// </summary>
internal sealed class FakeDiscord : IAsyncDisposable
{
    public const string ApplicationId = "100000000000000001";
    public const string Token = "test-bot-token";

    private readonly WebApplication _app;
    private readonly Channel<FakeGatewayConnection> _connections = Channel.CreateUnbounded<FakeGatewayConnection>();
    private readonly Channel<RecordedRequest> _requestFeed = Channel.CreateUnbounded<RecordedRequest>();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<FakeGatewayConnection> _all = new();
    private int _cdnArrivals;

    private FakeDiscord(WebApplication app) => _app = app;

    public string Origin { get; private set; } = string.Empty;

    public Uri ApiBase => new(Origin + "/api/v10");

    public int Shards { get; set; } = 1;

    public int MaxConcurrency { get; set; } = 1;

    /// <summary>
    /// Ten days of bot time by default: no periodic beat (and so no ACK deadline) falls inside a test, so a starved CI
    /// box cannot fake a zombie connection. Heartbeat tests set a short interval themselves.
    /// </summary>
    public int HeartbeatIntervalMs { get; set; } = 864_000_000;

    /// <summary>Per-request override; return null for the default answer.</summary>
    public Func<RecordedRequest, FakeResponse?>? OnRest { get; set; }

    /// <summary>When set, CDN downloads wait for it (a slow CDN).</summary>
    public TaskCompletionSource? CdnGate { get; set; }

    /// <summary>When set, CDN downloads send their headers and a first chunk, then wait for it (a body that stalls).</summary>
    public TaskCompletionSource? CdnBodyGate { get; set; }

    public byte[] CdnContent { get; set; } = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 1, 2, 3, 4];

    public string CdnContentType { get; set; } = "image/png";

    /// <summary>Files served by name (the last path segment of <see cref="CdnUrl"/>) instead of <see cref="CdnContent"/>.</summary>
    public ConcurrentDictionary<string, (byte[] Content, string ContentType)> CdnFiles { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<long> CdnHits { get; } = new();

    /// <summary>CDN requests received so far, counted on arrival (before <see cref="CdnGate"/> holds them; <see cref="CdnHits"/> counts after).</summary>
    public int CdnArrivals => Volatile.Read(ref _cdnArrivals);

    /// <summary>Path and query of every CDN request.</summary>
    public ConcurrentQueue<string> CdnPaths { get; } = new();

    /// <summary>Lets a test answer a CDN request itself (return true when handled).</summary>
    public Func<HttpContext, bool>? OnCdn { get; set; }

    public ConcurrentQueue<string> ForbiddenHits { get; } = new();

    /// <summary>Keep uploaded file bytes in <see cref="Requests"/> (off for long load runs, where they would pile up).</summary>
    public bool KeepUploads { get; set; } = true;

    public IReadOnlyCollection<string> Violations => _violations;

    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>Every REST request with the status the fake answered, in the order the answers were written.</summary>
    public ConcurrentQueue<(RecordedRequest Request, int Status)> Answers { get; } = new();

    public string CdnUrl(string name = "photo.png") => $"{Origin}/cdn/attachments/1/2/{name}?ex=1&is=2&hm=3";

    /// <summary>Same server, but an origin that is not on the allow-list.</summary>
    public string ForeignUrl => Origin.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "/forbidden/photo.png";

    public static async Task<FakeDiscord> StartAsync()
    {
        _ = DiscordSpec.Shared; // load (or skip) before anything listens
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeDiscord(app);
        app.UseWebSockets();
        app.Map("/gateway", ctx => fake.AcceptGatewayAsync(ctx, resumed: false));
        app.Map("/resume", ctx => fake.AcceptGatewayAsync(ctx, resumed: true));
        app.Map("/cdn/{**rest}", fake.ServeCdnAsync);
        app.Map("/forbidden/{**rest}", ctx =>
        {
            fake.ForbiddenHits.Enqueue(ctx.Request.Path);
            return Task.CompletedTask;
        });
        app.Map("/api/v10/{**rest}", fake.ServeRestAsync);
        await app.StartAsync();
        fake.Origin = app.Urls.Single().TrimEnd('/');
        return fake;
    }

    public async Task<FakeGatewayConnection> NextConnectionAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _connections.Reader.ReadAsync(cts.Token);
    }

    /// <summary>True if the bot opens no gateway connection within <paramref name="wait"/>.</summary>
    public async Task<bool> NoConnectionWithinAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            await _connections.Reader.WaitToReadAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>The next REST request matching <paramref name="match"/> (earlier non-matching ones are skipped).</summary>
    public async Task<RecordedRequest> NextRequestAsync(Func<RecordedRequest, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var r = await _requestFeed.Reader.ReadAsync(cts.Token);
            if (match(r))
            {
                return r;
            }
        }
    }

    /// <summary>Connects a session the normal way: Hello, expect Identify, send READY.</summary>
    public async Task<(FakeGatewayConnection Connection, JsonNode Identify)> AcceptSessionAsync(string sessionId = "session-1")
    {
        var conn = await NextConnectionAsync();
        await conn.SendHelloAsync(HeartbeatIntervalMs);
        var identify = await conn.ExpectAsync(2);
        await conn.SendDispatchAsync("READY", new JsonObject
        {
            ["v"] = 10,
            ["session_id"] = sessionId,
            ["resume_gateway_url"] = Origin.Replace("http", "ws", StringComparison.Ordinal) + "/resume",
            ["user"] = new JsonObject { ["id"] = ApplicationId, ["username"] = "MoodBot" },
            ["guilds"] = new JsonArray(),
            ["application"] = new JsonObject { ["id"] = ApplicationId, ["flags"] = 0 },
        });
        return (conn, identify);
    }

    public void AssertConforming() => Assert.True(_violations.IsEmpty, "Non-conforming requests:\n" + string.Join("\n", _violations));

    public async ValueTask DisposeAsync()
    {
        CdnGate?.TrySetResult();
        CdnBodyGate?.TrySetResult();
        foreach (var c in _all)
        {
            c.Abort();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var c in _all)
        {
            c.Dispose();
        }
    }

    private async Task AcceptGatewayAsync(HttpContext ctx, bool resumed)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            ctx.Response.StatusCode = 400;
            return;
        }

        var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        var conn = new FakeGatewayConnection(ws, resumed, ctx.Request.QueryString.Value ?? string.Empty);
        _all.Enqueue(conn);
        await _connections.Writer.WriteAsync(conn);
        await conn.RunAsync(ctx.RequestAborted);
    }

    private async Task ServeCdnAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _cdnArrivals);
        if (CdnGate is { } gate)
        {
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        CdnHits.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
        CdnPaths.Enqueue(ctx.Request.Path + ctx.Request.QueryString);
        if (OnCdn?.Invoke(ctx) == true)
        {
            return;
        }

        if (CdnFiles.TryGetValue(ctx.Request.Path.Value![(ctx.Request.Path.Value!.LastIndexOf('/') + 1)..], out var file))
        {
            ctx.Response.ContentType = file.ContentType;
            await ctx.Response.Body.WriteAsync(file.Content);
            return;
        }

        ctx.Response.ContentType = CdnContentType;
        if (CdnBodyGate is { } bodyGate)
        {
            await ctx.Response.Body.WriteAsync(CdnContent.AsMemory(0, CdnContent.Length / 2));
            await ctx.Response.Body.FlushAsync();
            await bodyGate.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await ctx.Response.Body.WriteAsync(CdnContent.AsMemory(CdnContent.Length / 2));
            return;
        }

        await ctx.Response.Body.WriteAsync(CdnContent);
    }

    private async Task ServeRestAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value!["/api/v10".Length..];
        var method = ctx.Request.Method;
        var contentType = ctx.Request.ContentType;
        JsonElement? json = null;
        var files = new Dictionary<string, byte[]>();
        string? problem = null;
        try
        {
            if (contentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
            {
                var form = await ctx.Request.ReadFormAsync();
                if (form.TryGetValue("payload_json", out var payload))
                {
                    json = JsonDocument.Parse(payload.ToString()).RootElement.Clone();
                }

                foreach (var f in form.Files)
                {
                    using var ms = new MemoryStream();
                    await f.CopyToAsync(ms);
                    files[f.Name] = KeepUploads ? ms.ToArray() : [];
                }

                problem = CheckAttachments(json, files);
            }
            else if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
            {
                using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
                var text = await reader.ReadToEndAsync();
                if (text.Length > 0)
                {
                    json = JsonDocument.Parse(text).RootElement.Clone();
                }
            }
        }
        catch (JsonException ex)
        {
            problem = $"{method} {path}: body is not JSON ({ex.Message})";
        }

        problem ??= DiscordSpec.Shared.Check(method, path, contentType, json);
        var recorded = new RecordedRequest(method, path, contentType, json, files, ctx.Request.Headers.Authorization.ToString(),
            System.Diagnostics.Stopwatch.GetTimestamp());
        _requests.Enqueue(recorded);
        await _requestFeed.Writer.WriteAsync(recorded);
        if (problem is not null)
        {
            _violations.Enqueue(problem);
            await WriteAsync(ctx, new FakeResponse(400, """{"code":50035,"message":"Invalid Form Body"}"""));
            return;
        }

        var response = OnRest?.Invoke(recorded) ?? Default(recorded);
        Answers.Enqueue((recorded, response.Status));
        await WriteAsync(ctx, response);
    }

    /// <summary>Every uploaded attachment listed in payload_json needs its files[n] part, and vice versa.</summary>
    private static string? CheckAttachments(JsonElement? json, Dictionary<string, byte[]> files)
    {
        if (json is null)
        {
            return "multipart request without payload_json";
        }

        var ids = json.Value.TryGetProperty("attachments", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => x.GetProperty("id").GetString()).ToHashSet()
            : [];
        foreach (var name in files.Keys)
        {
            if (!name.StartsWith("files[", StringComparison.Ordinal) || !ids.Contains(name[6..^1]))
            {
                return $"file part '{name}' has no matching attachments entry";
            }
        }

        return null;
    }

    private FakeResponse Default(RecordedRequest r) => (r.Method, r.Path) switch
    {
        ("GET", "/gateway/bot") => new FakeResponse(200, new JsonObject
        {
            ["url"] = Origin.Replace("http", "ws", StringComparison.Ordinal) + "/gateway",
            ["shards"] = Shards,
            ["session_start_limit"] = new JsonObject { ["total"] = 1000, ["remaining"] = 999, ["reset_after"] = 1000, ["max_concurrency"] = MaxConcurrency },
        }.ToJsonString()),
        ("POST", _) when r.Path.EndsWith("/callback", StringComparison.Ordinal) => new FakeResponse(204),
        ("DELETE", _) => new FakeResponse(204),
        ("PUT", _) => new FakeResponse(200, r.Json?.GetRawText() ?? "[]"),
        _ => new FakeResponse(200, """{"id":"200000000000000002","channel_id":"3","content":"","type":20}"""),
    };

    private static async Task WriteAsync(HttpContext ctx, FakeResponse response)
    {
        ctx.Response.StatusCode = response.Status;
        foreach (var (k, v) in response.Headers ?? new Dictionary<string, string>())
        {
            ctx.Response.Headers[k] = v;
        }

        if (response.Json is not null)
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(response.Json);
        }
    }
}
