using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MoodBot.Discord.Interactions;

namespace MoodBot.Discord.Gateway;

/// <summary>What ended one WebSocket connection, and so what the next one must do.</summary>
internal enum ConnectionEnd
{
    /// <summary>Reconnect to resume_gateway_url and Resume (op 6) with the last sequence.</summary>
    Resume,

    /// <summary>The session is gone: reconnect to the gateway URL and Identify anew.</summary>
    Reidentify,

    /// <summary>A close code Discord documents as not reconnectable (bad token, shard or intents).</summary>
    Fatal,

    Stopped,
}

/// <summary>
/// One shard's gateway session (docs: events/gateway). Reconnects forever with backoff, resuming where it can,
/// until stopped or a fatal close code arrives.
/// </summary>
internal sealed class GatewayShard
{
    /// <summary>Close codes after which reconnecting cannot help (docs: topics/opcodes-and-status-codes).</summary>
    private static readonly Dictionary<int, string> FatalCloseCodes = new()
    {
        [4004] = "authentication failed: the bot token (MoodBot:Discord:Token) is wrong or was reset",
        [4010] = "invalid shard: ShardId/ShardCount do not fit",
        [4011] = "sharding required: set ShardCount (or leave ShardId/ShardCount out for automatic sharding)",
        [4012] = "invalid API version",
        [4013] = "invalid intents",
        [4014] = "disallowed intents: enable them in the developer portal or stop requesting them",
    };

    /// <summary>Sequence is out of date or the session timed out: Resume would fail, Identify instead.</summary>
    private static readonly HashSet<int> ReidentifyCloseCodes = [4007, 4009];

    /// <summary>A non-1000/1001 code: Discord keeps the session, so we can Resume (1000/1001 would end it).</summary>
    internal const WebSocketCloseStatus ResumableClose = (WebSocketCloseStatus)4000;

    private const int MaxMessageBytes = 8 * 1024 * 1024;

    private readonly int _shardId;
    private readonly int _shardCount;
    private readonly int _maxConcurrency;
    private readonly Uri _gatewayUrl;
    private readonly string _token;
    private readonly IdentifyGate _identifyGate;
    private readonly InteractionDispatcher _dispatcher;
    private readonly DiscordStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private string? _sessionId;
    private Uri? _resumeUrl;
    private long? _sequence;

    public GatewayShard(int shardId, int shardCount, int maxConcurrency, Uri gatewayUrl, string token, IdentifyGate identifyGate,
        InteractionDispatcher dispatcher, DiscordStatus status, TimeProvider time, ILogger logger)
    {
        _shardId = shardId;
        _shardCount = shardCount;
        _maxConcurrency = maxConcurrency;
        _gatewayUrl = gatewayUrl;
        _token = token;
        _identifyGate = identifyGate;
        _dispatcher = dispatcher;
        _status = status;
        _time = time;
        _logger = logger;
    }

    /// <summary>Backoff after failed connections: 1 s doubling to 60 s, with jitter so shards don't reconnect in step.</summary>
    internal static TimeSpan Backoff(int failures) =>
        failures <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures - 1)) * (0.75 + (Random.Shared.NextDouble() * 0.5)));

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var resume = _sessionId is not null && _resumeUrl is not null && _sequence is not null;
            _status.Set(_shardId, ShardState.Connecting);
            using var connection = new Connection(this);
            ConnectionEnd end;
            try
            {
                Log.GatewayConnecting(_logger, _shardId, resume);
                end = await connection.RunAsync(resume ? _resumeUrl! : _gatewayUrl, resume, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                end = ConnectionEnd.Stopped;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or JsonException or InvalidDataException or TimeoutException or OperationCanceledException)
            {
                Log.GatewayConnectionLost(_logger, ex, _shardId);
                end = ConnectionEnd.Resume;
            }

            _status.Set(_shardId, ShardState.Disconnected);
            switch (end)
            {
                case ConnectionEnd.Stopped:
                    _status.Set(_shardId, ShardState.Stopped);
                    return;
                case ConnectionEnd.Fatal:
                    _status.Set(_shardId, ShardState.Stopped);
                    return;
                case ConnectionEnd.Reidentify:
                    _sessionId = null;
                    _resumeUrl = null;
                    _sequence = null;
                    break;
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            // A connection that got a session resets the backoff; one that failed before that grows it.
            failures = connection.SessionEstablished && !connection.Failed ? 0 : failures + 1;
            var delay = connection.RequestedDelay ?? Backoff(failures);
            if (delay > TimeSpan.Zero)
            {
                Log.GatewayBackoff(_logger, _shardId, delay.TotalMilliseconds);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
        }

        _status.Set(_shardId, ShardState.Stopped);
    }

    /// <summary>One WebSocket connection: Hello, heartbeats, Identify or Resume, then events until it ends.</summary>
    private sealed class Connection(GatewayShard shard) : IDisposable
    {
        private readonly ClientWebSocket _ws = new();
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private volatile bool _acked = true;
        private volatile bool _zombie;

        public bool SessionEstablished { get; private set; }

        public bool Failed { get; private set; }

        public TimeSpan? RequestedDelay { get; private set; }

        public async Task<ConnectionEnd> RunAsync(Uri url, bool resume, CancellationToken stoppingToken)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var ct = cts.Token;
            Task? heartbeat = null;
            try
            {
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    connectTimeout.CancelAfter(TimeSpan.FromSeconds(30));
                    await _ws.ConnectAsync(WithQuery(url), connectTimeout.Token).ConfigureAwait(false);
                }

                // Receives are not cancelled by the stopping token: cancelling a receive aborts the socket, and we
                // want a clean 1000 close on shutdown instead (sent below, with an abort as the fallback).
                using var stopping = stoppingToken.Register(() => _ = CloseForShutdownAsync());
                var hello = await ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                if (hello is null || Op(hello) != 10)
                {
                    Failed = true;
                    return await EndFromCloseAsync(hello is null).ConfigureAwait(false);
                }

                if (hello["d"] is not JsonObject helloData || !TryNumber(helloData["heartbeat_interval"], out var intervalMs) || intervalMs <= 0)
                {
                    // A Hello without a usable interval cannot be kept alive; treat it like a failed connection.
                    Log.GatewayFrameIgnored(shard._logger, shard._shardId, "Hello without heartbeat_interval");
                    Failed = true;
                    return await EndFromCloseAsync(dropped: true).ConfigureAwait(false);
                }

                var interval = TimeSpan.FromMilliseconds(intervalMs);
                heartbeat = HeartbeatLoopAsync(interval, ct);

                if (resume)
                {
                    await SendAsync(new JsonObject
                    {
                        ["op"] = 6,
                        ["d"] = new JsonObject { ["token"] = shard._token, ["session_id"] = shard._sessionId, ["seq"] = shard._sequence },
                    }, ct).ConfigureAwait(false);
                }
                else
                {
                    await shard._identifyGate.WaitAsync(shard._shardId, shard._maxConcurrency, ct).ConfigureAwait(false);
                    await SendAsync(IdentifyPayload(), ct).ConfigureAwait(false);
                }

                while (true)
                {
                    var message = await ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                    if (stoppingToken.IsCancellationRequested)
                    {
                        return ConnectionEnd.Stopped;
                    }

                    if (message is null)
                    {
                        return await EndFromCloseAsync(dropped: false).ConfigureAwait(false);
                    }

                    var end = await HandleAsync(message, ct).ConfigureAwait(false);
                    if (end is { } e)
                    {
                        return e;
                    }
                }
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is WebSocketException or OperationCanceledException or IOException)
            {
                return ConnectionEnd.Stopped;
            }
            catch (Exception ex) when (_zombie && ex is WebSocketException or OperationCanceledException or IOException)
            {
                // The heartbeat loop aborted a connection that stopped acknowledging: resume on a fresh one.
                return ConnectionEnd.Resume;
            }
            catch (WebSocketException)
            {
                if (!SessionEstablished)
                {
                    Failed = true;
                }

                throw;
            }
            finally
            {
                await cts.CancelAsync().ConfigureAwait(false);
                if (heartbeat is not null)
                {
                    try
                    {
                        await heartbeat.ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
                    {
                        // Expected: the loop ends with its connection. A beat that raced the close fails to send; the
                        // receive side already decided how this connection ended (e.g. 4009 → Identify), so that stands.
                    }
                }
            }
        }

        public void Dispose()
        {
            _ws.Dispose();
            _sendLock.Dispose();
        }

        private JsonObject IdentifyPayload() => new()
        {
            ["op"] = 2,
            ["d"] = new JsonObject
            {
                ["token"] = shard._token,
                // Interactions arrive without any intent; asking for none keeps the event stream minimal.
                ["intents"] = 0,
                ["properties"] = new JsonObject { ["os"] = "linux", ["browser"] = "moodbot", ["device"] = "moodbot" },
                ["shard"] = new JsonArray(shard._shardId, shard._shardCount),
            },
        };

        private async Task<ConnectionEnd?> HandleAsync(JsonNode message, CancellationToken ct)
        {
            switch (Op(message))
            {
                case 0:
                    if (message["s"] is JsonValue s && s.GetValueKind() == JsonValueKind.Number && s.TryGetValue<long>(out var sequence))
                    {
                        shard._sequence = sequence;
                    }

                    OnDispatch(message["t"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null, message["d"]);
                    return null;
                case 1:
                    // The gateway asks for a heartbeat right now.
                    await SendHeartbeatAsync(ct).ConfigureAwait(false);
                    return null;
                case 7:
                    Log.GatewayReconnectRequested(shard._logger, shard._shardId);
                    await CloseQuietlyAsync(ResumableClose, "reconnect requested").ConfigureAwait(false);
                    RequestedDelay = TimeSpan.Zero;
                    return ConnectionEnd.Resume;
                case 9:
                    var resumable = message["d"]?.GetValueKind() == JsonValueKind.True;
                    Log.GatewayInvalidSession(shard._logger, shard._shardId, resumable);
                    await CloseQuietlyAsync(ResumableClose, "invalid session").ConfigureAwait(false);
                    // Docs: wait a random 1–5 s before identifying again.
                    RequestedDelay = TimeSpan.FromSeconds(1 + (Random.Shared.NextDouble() * 4));
                    return resumable ? ConnectionEnd.Resume : ConnectionEnd.Reidentify;
                case 11:
                    _acked = true;
                    return null;
                default:
                    return null;
            }
        }

        private void OnDispatch(string? type, JsonNode? data)
        {
            switch (type)
            {
                case "READY":
                    shard._sessionId = data?["session_id"]?.GetValue<string>();
                    var resumeUrl = data?["resume_gateway_url"]?.GetValue<string>();
                    shard._resumeUrl = Uri.TryCreate(resumeUrl, UriKind.Absolute, out var u) ? u : shard._gatewayUrl;
                    SessionEstablished = true;
                    shard._status.Set(shard._shardId, ShardState.Ready);
                    Log.GatewayReady(shard._logger, shard._shardId);
                    break;
                case "RESUMED":
                    SessionEstablished = true;
                    shard._status.Set(shard._shardId, ShardState.Ready);
                    Log.GatewayResumed(shard._logger, shard._shardId);
                    break;
                case "INTERACTION_CREATE" when data is not null:
                    var interaction = InteractionParser.Parse(data);
                    if (interaction is not null)
                    {
                        shard._dispatcher.Dispatch(interaction, InteractionResponder.Rest);
                    }

                    break;
            }
        }

        private async Task HeartbeatLoopAsync(TimeSpan interval, CancellationToken ct)
        {
            // Docs: the first heartbeat waits interval * jitter so a fleet of reconnecting clients spreads out.
            await Task.Delay(interval * Random.Shared.NextDouble(), shard._time, ct).ConfigureAwait(false);
            while (!ct.IsCancellationRequested)
            {
                if (!_acked)
                {
                    // No ACK since the last beat: a zombie connection. Close it (non-1000, to keep the session) and resume.
                    Log.GatewayZombie(shard._logger, shard._shardId);
                    _zombie = true;
                    RequestedDelay = TimeSpan.Zero;
                    _ws.Abort();
                    return;
                }

                await SendHeartbeatAsync(ct).ConfigureAwait(false);
                await Task.Delay(interval, shard._time, ct).ConfigureAwait(false);
            }
        }

        private Task SendHeartbeatAsync(CancellationToken ct)
        {
            _acked = false;
            return SendAsync(new JsonObject { ["op"] = 1, ["d"] = shard._sequence }, ct);
        }

        private async Task<ConnectionEnd> EndFromCloseAsync(bool dropped)
        {
            var code = (int?)_ws.CloseStatus;
            if (_ws.State == WebSocketState.CloseReceived)
            {
                await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, string.Empty).ConfigureAwait(false);
            }

            if (code is { } c && FatalCloseCodes.TryGetValue(c, out var reason))
            {
                shard._status.FatalError = $"gateway close {c}: {reason}";
                Log.GatewayFatalClose(shard._logger, shard._shardId, c, reason);
                return ConnectionEnd.Fatal;
            }

            Log.GatewayClosed(shard._logger, shard._shardId, code ?? 0, _ws.CloseStatusDescription ?? (dropped ? "dropped" : string.Empty));
            return code is { } rc && ReidentifyCloseCodes.Contains(rc) ? ConnectionEnd.Reidentify : ConnectionEnd.Resume;
        }

        /// <summary>Shutdown: a normal close (Discord ends the session, nobody waits for us), abort if it hangs.</summary>
        private async Task CloseForShutdownAsync()
        {
            await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "shutting down").ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(3), shard._time).ConfigureAwait(false);
            if (_ws.State != WebSocketState.Closed)
            {
                _ws.Abort();
            }
        }

        private async Task CloseQuietlyAsync(WebSocketCloseStatus status, string description)
        {
            if (_ws.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                return;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var locked = false;
            try
            {
                // One send at a time on a WebSocket: a close must not overlap a heartbeat.
                locked = await _sendLock.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                await _ws.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                _ws.Abort();
            }
            finally
            {
                if (locked)
                {
                    _sendLock.Release();
                }
            }
        }

        private async Task SendAsync(JsonObject payload, CancellationToken ct)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(payload);
            await _sendLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await _ws.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        /// <summary>One whole text message, or null when the server closed the connection.</summary>
        private async Task<JsonNode?> ReceiveAsync(CancellationToken ct)
        {
            var buffer = new ArrayBufferWriter<byte>(16 * 1024);
            while (true)
            {
                var memory = buffer.GetMemory(16 * 1024);
                var result = await _ws.ReceiveAsync(memory, ct).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                buffer.Advance(result.Count);
                if (buffer.WrittenCount > MaxMessageBytes)
                {
                    throw new InvalidDataException("gateway message too large");
                }

                if (result.EndOfMessage)
                {
                    // A frame that is not a JSON object is skipped, not allowed to end the connection for every member.
                    string reason;
                    try
                    {
                        if (JsonNode.Parse(buffer.WrittenSpan) is JsonObject message)
                        {
                            return message;
                        }

                        reason = "not a JSON object";
                    }
                    catch (JsonException)
                    {
                        reason = "not JSON";
                    }

                    Log.GatewayFrameIgnored(shard._logger, shard._shardId, reason);
                    buffer.Clear();
                }
            }
        }

        private static int Op(JsonNode message) =>
            message["op"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var op) ? op : -1;

        private static bool TryNumber(JsonNode? node, out double value)
        {
            value = 0;
            return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
        }

        private static Uri WithQuery(Uri url)
        {
            var b = new UriBuilder(url) { Query = "v=10&encoding=json" };
            return b.Uri;
        }
    }
}
