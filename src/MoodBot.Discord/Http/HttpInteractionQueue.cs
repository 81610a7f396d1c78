using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Discord.Interactions;

namespace MoodBot.Discord;

/// <summary>
/// HTTP mode's slow half. The endpoint answers Discord's POST with a deferral at once and leaves the interaction here; a
/// fixed set of workers then runs the handler (download, analysis, the edit of @original) under this service's own
/// cancellation, so a client that closes its socket cancels nothing. Bounded: when full, the endpoint tells the member
/// to try again instead of queueing without limit.
/// </summary>
/// <remarks>
/// On stop no new work is taken; work already queued or running gets the host's shutdown timeout to finish, then is
/// cancelled (each cancelled run still gets its short "restarting" apology from the result handler).
/// </remarks>
internal sealed class HttpInteractionQueue : BackgroundService
{
    private readonly Channel<QueuedInteraction> _channel;
    private readonly CancellationTokenSource _work = new();
    private readonly InteractionDispatcher _dispatcher;
    private readonly DiscordOptions _options;
    private readonly ILogger<HttpInteractionQueue> _logger;

    public HttpInteractionQueue(InteractionDispatcher dispatcher, IOptions<DiscordOptions> options, ILogger<HttpInteractionQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dispatcher = dispatcher;
        _options = options.Value;
        _logger = logger;
        _channel = Channel.CreateBounded<QueuedInteraction>(new BoundedChannelOptions(_options.HttpQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full; nothing is dropped silently
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public int Capacity => _options.HttpQueueCapacity;

    /// <summary>Interactions waiting for a worker (not counting those being worked on).</summary>
    public int Waiting => _channel.Reader.Count;

    /// <returns>false when the queue is full or stopping: the caller answers the member itself.</returns>
    public bool TryEnqueue(QueuedInteraction item) => _channel.Writer.TryWrite(item);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        var workers = ExecuteTask ?? Task.CompletedTask;
        try
        {
            await workers.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await _work.CancelAsync().ConfigureAwait(false);
            // The cancelled runs finish quickly; their apologies have their own few-second grace.
            await Task.WhenAny(workers, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None)).ConfigureAwait(false);
        }

        await base.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _work.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled || _options.Mode != DiscordMode.Http)
        {
            return Task.CompletedTask;
        }

        var workers = _options.EffectiveHttpWorkers;
        ReserveThreadsForRequests(workers);
        // stoppingToken is not passed on: stopping closes the queue (StopAsync), and the work in it drains first.
        return Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync, CancellationToken.None)));
    }

    /// <summary>
    /// A worker holds a thread-pool thread for the whole of a synchronous step (image decode, ONNX inference). With the
    /// pool's default minimum (one thread per core) they can hold every thread, and Kestrel's next request then waits
    /// for the pool's starvation injection (a thread or two a second). A thread per worker on top of the default
    /// leaves the request path threads of its own.
    /// </summary>
    private static void ReserveThreadsForRequests(int workers)
    {
        ThreadPool.GetMinThreads(out var worker, out var completion);
        var wanted = workers + (2 * Environment.ProcessorCount);
        if (worker < wanted)
        {
            ThreadPool.SetMinThreads(wanted, completion);
        }
    }

    private async Task WorkAsync()
    {
        await foreach (var item in _channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                await _dispatcher.RunDeferredAsync(item.Interaction, item.ReceivedTimestamp, item.AcknowledgedAs, item.Answered, _work.Token)
                    .ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The dispatcher answers handler failures itself; what reaches here (a cancelled claim of the scope, a
                // broken DI registration) must not stop this worker.
                Log.QueuedInteractionFailed(_logger, ex);
            }
        }
    }
}
