using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MoodBot.Discord.Gateway;

/// <summary>
/// One shard's gateway session (docs: events/gateway, "Connection Lifecycle"): on each connection wait for Hello, start
/// heartbeating, Identify or Resume, handle events; when the connection ends, decide from how it ended whether the next
/// one resumes, identifies anew or whether to stop. Reconnects forever with backoff until stopped or a fatal close code.
/// The socket and heartbeats are <see cref="GatewaySocket"/>'s; interactions go to <see cref="IGatewayInteractionSink"/>.
/// </summary>
internal sealed class GatewayShard
{
    /// <summary>Task.Delay's limit (about 49 days); a Hello asking for more cannot be honoured.</summary>
    private static readonly double MaxHeartbeatIntervalMs = uint.MaxValue - 1.0;

    private readonly GatewayShardSettings _settings;
    private readonly IdentifyGate _identifyGate;
    private readonly IGatewayInteractionSink _sink;
    private readonly DiscordStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GatewaySession _session = new();

    // How the current connection went; reset for each one.
    private bool _sessionEstablished;
    private bool _failed;
    private TimeSpan? _requestedDelay;

    public GatewayShard(GatewayShardSettings settings, IdentifyGate identifyGate, IGatewayInteractionSink sink, DiscordStatus status,
        TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _identifyGate = identifyGate;
        _sink = sink;
        _status = status;
        _time = time;
        _logger = logger;
    }

    private int ShardId => _settings.ShardId;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var resume = _session.CanResume;
            _status.Set(ShardId, ShardState.Connecting);
            (_sessionEstablished, _failed, _requestedDelay) = (false, false, null);
            using var socket = new GatewaySocket(ShardId, _time, _logger);
            ConnectionEnd end;
            try
            {
                Log.GatewayConnecting(_logger, ShardId, resume);
                end = await RunConnectionAsync(socket, resume, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                end = ConnectionEnd.Stopped;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or JsonException or InvalidDataException or TimeoutException or OperationCanceledException)
            {
                Log.GatewayConnectionLost(_logger, ex, ShardId);
                end = ConnectionEnd.Resume;
            }

            _status.Set(ShardId, ShardState.Disconnected);
            switch (end)
            {
                case ConnectionEnd.Stopped or ConnectionEnd.Fatal:
                    _status.Set(ShardId, ShardState.Stopped);
                    return;
                case ConnectionEnd.Reidentify:
                    _session.Reset();
                    break;
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            // A connection that got a session resets the backoff; one that failed before that grows it. A zombie is
            // replaced at once, as is a connection the gateway itself asked us to leave.
            failures = _sessionEstablished && !_failed ? 0 : failures + 1;
            var delay = (socket.IsZombie ? TimeSpan.Zero : _requestedDelay) ?? GatewayBackoff.Delay(failures);
            if (delay > TimeSpan.Zero)
            {
                Log.GatewayBackoff(_logger, ShardId, delay.TotalMilliseconds);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
        }

        _status.Set(ShardId, ShardState.Stopped);
    }

    /// <summary>One connection: Hello, heartbeats, Identify or Resume, then events until it ends.</summary>
    private async Task<ConnectionEnd> RunConnectionAsync(GatewaySocket socket, bool resume, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var ct = cts.Token;
        Task? heartbeat = null;
        try
        {
            await socket.ConnectAsync(resume ? _session.ResumeUrl! : _settings.GatewayUrl, ct).ConfigureAwait(false);

            // Receives are not cancelled by the stopping token: cancelling a receive aborts the socket, and we want a
            // clean 1000 close on shutdown instead (sent here, with an abort as the fallback).
            using var stopping = stoppingToken.Register(() => _ = socket.CloseForShutdownAsync());
            var hello = await socket.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
            if (hello?.Opcode != GatewayOpcode.Hello)
            {
                _failed = true;
                return await EndFromCloseAsync(socket, dropped: hello is null).ConfigureAwait(false);
            }

            if (hello.DataAs(GatewayJsonContext.Default.HelloEvent) is not { HeartbeatInterval: > 0 } helloData ||
                helloData.HeartbeatInterval > MaxHeartbeatIntervalMs)
            {
                // A Hello without a usable interval cannot be kept alive; treat it like a failed connection.
                Log.GatewayFrameIgnored(_logger, ShardId, "Hello without heartbeat_interval");
                _failed = true;
                return await EndFromCloseAsync(socket, dropped: true).ConfigureAwait(false);
            }

            heartbeat = socket.RunHeartbeatAsync(TimeSpan.FromMilliseconds(helloData.HeartbeatInterval), () => _session.Sequence, ct);
            if (resume)
            {
                var resumeCommand = new ResumeCommand(_settings.Token, _session.SessionId!, _session.Sequence!.Value);
                await socket.SendAsync(new(GatewayOpcode.Resume, resumeCommand), GatewayJsonContext.Default.ResumePayload, ct).ConfigureAwait(false);
            }
            else
            {
                await _identifyGate.WaitAsync(ShardId, _settings.MaxConcurrency, ct).ConfigureAwait(false);
                await socket.SendAsync(new(GatewayOpcode.Identify, Identify()), GatewayJsonContext.Default.IdentifyPayload, ct).ConfigureAwait(false);
            }

            while (true)
            {
                var frame = await socket.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                if (stoppingToken.IsCancellationRequested)
                {
                    return ConnectionEnd.Stopped;
                }

                if (frame is null)
                {
                    return await EndFromCloseAsync(socket, dropped: false).ConfigureAwait(false);
                }

                if (await HandleAsync(socket, frame, ct).ConfigureAwait(false) is { } end)
                {
                    return end;
                }
            }
        }
        catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is WebSocketException or OperationCanceledException or IOException)
        {
            return ConnectionEnd.Stopped;
        }
        catch (Exception ex) when (socket.IsZombie && ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The heartbeat loop aborted a connection that stopped acknowledging: resume on a fresh one.
            return ConnectionEnd.Resume;
        }
        catch (WebSocketException)
        {
            if (!_sessionEstablished)
            {
                _failed = true;
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

    private IdentifyCommand Identify() => new(
        _settings.Token,
        // Interactions arrive without any intent; asking for none keeps the event stream minimal.
        Intents: 0,
        new IdentifyConnectionProperties("linux", _settings.ClientName, _settings.ClientName),
        [ShardId, _settings.ShardCount]);

    /// <returns>How the connection ended, or null to keep reading.</returns>
    private async Task<ConnectionEnd?> HandleAsync(GatewaySocket socket, GatewayFrame frame, CancellationToken ct)
    {
        switch (frame.Opcode)
        {
            case GatewayOpcode.Dispatch:
                if (frame.Sequence is { } sequence)
                {
                    _session.Observe(sequence);
                }

                OnDispatch(frame);
                return null;
            case GatewayOpcode.Heartbeat:
                // The gateway asks for a heartbeat right now.
                await socket.SendHeartbeatAsync(_session.Sequence, ct).ConfigureAwait(false);
                return null;
            case GatewayOpcode.Reconnect:
                Log.GatewayReconnectRequested(_logger, ShardId);
                await socket.CloseQuietlyAsync(GatewaySocket.ResumableClose, "reconnect requested").ConfigureAwait(false);
                _requestedDelay = TimeSpan.Zero;
                return ConnectionEnd.Resume;
            case GatewayOpcode.InvalidSession:
                var resumable = frame.Data.ValueKind == JsonValueKind.True;
                Log.GatewayInvalidSession(_logger, ShardId, resumable);
                await socket.CloseQuietlyAsync(GatewaySocket.ResumableClose, "invalid session").ConfigureAwait(false);
                // Docs: wait a random 1–5 s before identifying again.
                _requestedDelay = TimeSpan.FromSeconds(1 + (Random.Shared.NextDouble() * 4));
                return resumable ? ConnectionEnd.Resume : ConnectionEnd.Reidentify;
            case GatewayOpcode.HeartbeatAck:
                socket.Acknowledge();
                return null;
            default:
                return null;
        }
    }

    private void OnDispatch(GatewayFrame frame)
    {
        switch (frame.EventName)
        {
            case "READY":
                // A READY of the wrong shape still starts the session; without its id the next connection identifies.
                var ready = frame.DataAs(GatewayJsonContext.Default.ReadyEvent);
                _session.Start(ready?.SessionId, Uri.TryCreate(ready?.ResumeGatewayUrl, UriKind.Absolute, out var url) ? url : _settings.GatewayUrl);
                _sessionEstablished = true;
                _status.Set(ShardId, ShardState.Ready);
                Log.GatewayReady(_logger, ShardId);
                break;
            case "RESUMED":
                _sessionEstablished = true;
                _status.Set(ShardId, ShardState.Ready);
                Log.GatewayResumed(_logger, ShardId);
                break;
            case "INTERACTION_CREATE" when frame.Data.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null):
                _sink.OnInteractionCreate(frame.Data);
                break;
        }
    }

    private async Task<ConnectionEnd> EndFromCloseAsync(GatewaySocket socket, bool dropped)
    {
        var status = socket.CloseStatus;
        await socket.AnswerCloseAsync().ConfigureAwait(false);
        var code = (GatewayCloseCode?)status;
        if (code?.FatalReason() is { } reason)
        {
            _status.FatalError = $"gateway close {(int)code}: {reason}";
            _status.TokenRejected = code == GatewayCloseCode.AuthenticationFailed;
            Log.GatewayFatalClose(_logger, ShardId, (int)code, reason);
            return ConnectionEnd.Fatal;
        }

        Log.GatewayClosed(_logger, ShardId, (int?)status ?? 0, socket.CloseDescription ?? (dropped ? "dropped" : string.Empty));
        return code?.EndsSession() == true ? ConnectionEnd.Reidentify : ConnectionEnd.Resume;
    }
}
