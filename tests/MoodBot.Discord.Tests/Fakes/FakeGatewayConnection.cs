using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>The server side of one gateway connection, scripted by the test.</summary>
internal sealed class FakeGatewayConnection(WebSocket ws, bool resumed, string query) : IDisposable
{
    private readonly Channel<JsonNode> _received = Channel.CreateUnbounded<JsonNode>();
    private readonly Channel<JsonNode> _heartbeats = Channel.CreateUnbounded<JsonNode>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();
    private int _sequence;

    /// <summary>Whether the bot connected to the resume URL.</summary>
    public bool Resumed { get; } = resumed;

    public string Query { get; } = query;

    /// <summary>Answer heartbeats with op 11 (switch off to make a zombie connection).</summary>
    public bool AutoAck { get; set; } = true;

    /// <summary>The close status the bot sent, once the connection ended (null if it just vanished).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public Task SendHelloAsync(int intervalMs) =>
        SendAsync(new JsonObject { ["op"] = 10, ["d"] = new JsonObject { ["heartbeat_interval"] = intervalMs } });

    public Task SendDispatchAsync(string type, JsonNode data) =>
        SendAsync(new JsonObject { ["op"] = 0, ["t"] = type, ["s"] = Interlocked.Increment(ref _sequence), ["d"] = data });

    public int Sequence => Volatile.Read(ref _sequence);

    public Task SendAsync(JsonNode payload) => SendRawAsync(payload.ToJsonString());

    /// <summary>Sends exactly <paramref name="text"/> as one text frame (malformed-frame tests).</summary>
    public async Task SendRawAsync(string text)
    {
        await _sendLock.WaitAsync();
        try
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next non-heartbeat payload; fails if it is not <paramref name="op"/>.</summary>
    public async Task<JsonNode> ExpectAsync(int op, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var message = await _received.Reader.ReadAsync(cts.Token);
        Assert.Equal(op, message["op"]!.GetValue<int>());
        return message;
    }

    public async Task<JsonNode> NextHeartbeatAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _heartbeats.Reader.ReadAsync(cts.Token);
    }

    public async Task CloseAsync(int code, string reason = "")
    {
        try
        {
            await ws.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        _abort.Dispose();
        _sendLock.Dispose();
    }

    /// <summary>Drops the TCP connection without a close frame.</summary>
    public void Abort()
    {
        if (_closed.Task.IsCompleted)
        {
            return;
        }

        _abort.Cancel();
        try
        {
            ws.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request already ended.
        }
    }

    internal async Task RunAsync(CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _abort.Token);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var ms = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await ws.ReceiveAsync(buffer, linked.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _closed.TrySetResult(result.CloseStatus);
                        return;
                    }

                    ms.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var node = JsonNode.Parse(ms.ToArray())!;
                if (node["op"]!.GetValue<int>() == 1)
                {
                    await _heartbeats.Writer.WriteAsync(node, CancellationToken.None);
                    if (AutoAck)
                    {
                        await SendAsync(new JsonObject { ["op"] = 11 });
                    }

                    continue;
                }

                await _received.Writer.WriteAsync(node, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            _closed.TrySetResult(null);
        }
    }
}
