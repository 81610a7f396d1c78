using System.Diagnostics.Metrics;

namespace MoodBot.Core;

/// <summary>
/// The bot's own instruments (System.Diagnostics.Metrics, exported by the host at <c>/metrics</c>). Features record
/// through this one class so names and tags stay consistent; nothing here identifies a member or a photo.
/// </summary>
public sealed class MoodBotMetrics : IDisposable
{
    public const string MeterName = "MoodBot";

    private readonly Meter _meter;
    private readonly Counter<long> _interactions;
    private readonly Histogram<double> _stageSeconds;
    private readonly Counter<long> _faces;
    private readonly Counter<long> _emotions;
    private readonly Counter<long> _externalCalls;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _photosRefused;
    private readonly Counter<long> _photosBusy;

    public MoodBotMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _interactions = _meter.CreateCounter<long>("moodbot.interactions", description: "Interactions handled, by command and outcome.");
        _stageSeconds = _meter.CreateHistogram<double>("moodbot.stage.duration", unit: "s",
            description: "Time per pipeline stage (decode, detect, classify, recommend, render, defer, reply).");
        _faces = _meter.CreateCounter<long>("moodbot.faces", description: "Faces found in photos.");
        _emotions = _meter.CreateCounter<long>("moodbot.emotions", description: "Overall mood of analysed photos, by emotion.");
        _externalCalls = _meter.CreateCounter<long>("moodbot.external.calls", description: "Calls to Discord and Spotify, by service and status code.");
        _rateLimited = _meter.CreateCounter<long>("moodbot.external.rate_limited", description: "429 answers received, by service.");
        _photosRefused = _meter.CreateCounter<long>("moodbot.photos.refused", description: "Photos refused, by reason.");
        _photosBusy = _meter.CreateCounter<long>("moodbot.photos.busy",
            description: "Photos turned away because analysis was at its concurrency limit with a full queue.");
    }

    public void Interaction(string command, string outcome) =>
        _interactions.Add(1, new("command", command), new("outcome", outcome));

    public void Stage(string stage, TimeSpan elapsed) => _stageSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("stage", stage));

    public void Photo(PhotoAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        Stage("decode", analysis.Timings.Decode);
        Stage("detect", analysis.Timings.Detect);
        Stage("classify", analysis.Timings.Classify);
        _faces.Add(analysis.Faces.Count);
        if (analysis.Mood is { } mood)
        {
            _emotions.Add(1, new KeyValuePair<string, object?>("emotion", mood.Emotion.Name()));
        }
    }

    public void PhotoRefused(ImageProblem problem) => _photosRefused.Add(1, new KeyValuePair<string, object?>("reason", problem.ToString()));

    public void PhotoBusy() => _photosBusy.Add(1);

    public void ExternalCall(string service, int statusCode)
    {
        _externalCalls.Add(1, new("service", service), new("status", statusCode));
        if (statusCode == 429)
        {
            _rateLimited.Add(1, new KeyValuePair<string, object?>("service", service));
        }
    }

    public void Dispose() => _meter.Dispose();
}
