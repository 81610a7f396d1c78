using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace MoodBot.Discord.Gateway;

/// <summary>
/// One WebSocket connection to the gateway: whole frames in, payloads out (one send at a time), the heartbeat loop
/// with zombie detection, and closing. It knows nothing of sessions; <see cref="GatewayShard"/> decides what the frames
/// mean and what the next connection does.
/// </summary>
internal sealed class GatewaySocket(int shardId, TimeProvider time, ILogger logger) : IDisposable
{
    /// <summary>A code outside 1000/1001: Discord keeps the session, so the next connection can Resume.</summary>
    public const WebSocketCloseStatus ResumableClose = (WebSocketCloseStatus)4000;

    private const int MaxMessageBytes = 8 * 1024 * 1024;

    private readonly ClientWebSocket _ws = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private volatile bool _acked = true;
    private volatile bool _zombie;

    /// <summary>True once the heartbeat loop aborted the connection because a beat went unacknowledged.</summary>
    public bool IsZombie => _zombie;

    /// <summary>The close status the server sent, once it closed.</summary>
    public WebSocketCloseStatus? CloseStatus => _ws.CloseStatus;

    public string? CloseDescription => _ws.CloseStatusDescription;

    public async Task ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var withQuery = new UriBuilder(url) { Query = "v=10&encoding=json" }.Uri;
        await _ws.ConnectAsync(withQuery, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// The next frame that is a JSON object, or null when the server closed the connection. Other frames are logged and
    /// skipped: one bad frame must not end the connection for every member.
    /// </summary>
    public async Task<GatewayFrame?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var result = await _ws.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
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
                if (GatewayFrame.Parse(buffer.WrittenMemory, out var rejection) is { } frame)
                {
                    return frame;
                }

                Log.GatewayFrameIgnored(logger, shardId, rejection ?? "unreadable");
                buffer.Clear();
            }
        }
    }

    public async Task SendAsync<T>(GatewayPayload<T> payload, JsonTypeInfo<GatewayPayload<T>> type, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(payload, type);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _ws.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>A heartbeat now (periodic, or because the gateway asked with op 1); the next one checks it was acknowledged.</summary>
    public Task SendHeartbeatAsync(long? sequence, CancellationToken cancellationToken)
    {
        _acked = false;
        return SendAsync(new GatewayPayload<long?>(GatewayOpcode.Heartbeat, sequence), GatewayJsonContext.Default.HeartbeatPayload, cancellationToken);
    }

    /// <summary>Heartbeat ACK (op 11) received.</summary>
    public void Acknowledge() => _acked = true;

    /// <summary>Beats every <paramref name="interval"/> until cancelled, or aborts the connection when a beat went unacknowledged.</summary>
    public async Task RunHeartbeatAsync(TimeSpan interval, Func<long?> sequence, CancellationToken cancellationToken)
    {
        // Docs: the first heartbeat waits interval * jitter so a fleet of reconnecting clients spreads out.
        await Task.Delay(interval * Random.Shared.NextDouble(), time, cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!_acked)
            {
                // No ACK since the last beat: a zombie connection. Abort it (no 1000 close, to keep the session) so the
                // receive loop fails and the shard resumes on a fresh connection.
                Log.GatewayZombie(logger, shardId);
                _zombie = true;
                _ws.Abort();
                return;
            }

            await SendHeartbeatAsync(sequence(), cancellationToken).ConfigureAwait(false);
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes the close handshake the server started, so the server sees an orderly close.</summary>
    public Task AnswerCloseAsync() =>
        _ws.State == WebSocketState.CloseReceived ? CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, string.Empty) : Task.CompletedTask;

    /// <summary>Shutdown: a normal close (Discord ends the session, nobody waits for us), abort if it hangs.</summary>
    public async Task CloseForShutdownAsync()
    {
        await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "shutting down").ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(3), time).ConfigureAwait(false);
        if (_ws.State != WebSocketState.Closed)
        {
            _ws.Abort();
        }
    }

    /// <summary>Sends a close frame if the socket is still open; aborts instead when that fails or takes over 2 s.</summary>
    public async Task CloseQuietlyAsync(WebSocketCloseStatus status, string description)
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

    public void Dispose()
    {
        _ws.Dispose();
        _sendLock.Dispose();
    }
}
