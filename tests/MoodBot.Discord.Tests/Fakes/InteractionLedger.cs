using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>How one interaction ended, read from what the fake Discord accepted (2xx answers only).</summary>
internal sealed record InteractionOutcome(
    string Id,
    long SentAt,
    int Callbacks,
    int CallbackType,
    long? CallbackAt,
    int Edits,
    int EditsWithEmbed,
    int ErrorReplies,
    string? ErrorText,
    long? SettledAt)
{
    /// <summary>Deferred (type 5) or answered at once (type 4, e.g. a refusal).</summary>
    public bool Acknowledged => Callbacks == 1;

    /// <summary>The original was edited into the recommendation.</summary>
    public bool Answered => EditsWithEmbed == 1;

    /// <summary>A clear, private error instead: an ephemeral type-4 callback, or an ephemeral follow-up after a deferral.</summary>
    public bool ClearError => !Answered && (ErrorReplies == 1 || (CallbackType == 4 && Edits == 0));

    /// <summary>More than one initial response, more than one answer, or both an answer and an error.</summary>
    public bool Duplicated => Callbacks > 1 || Edits > 1 || ErrorReplies > 1 || (Answered && ErrorReplies > 0);

    public TimeSpan? ReceiveToCallback => CallbackAt is { } at ? Stopwatch.GetElapsedTime(SentAt, at) : null;

    /// <summary>Sent → the answer (or the error) reached Discord.</summary>
    public TimeSpan? SentToSettled => SettledAt is { } at ? Stopwatch.GetElapsedTime(SentAt, at) : null;
}

/// <summary>
/// Remembers the interactions a test (or the load run) sent, and tallies what Discord would have shown for each:
/// the one source of truth for "every interaction answered, none twice".
/// </summary>
internal sealed class InteractionLedger(FakeDiscord fake)
{
    private readonly ConcurrentDictionary<string, (string Id, long SentAt)> _sent = new(StringComparer.Ordinal);

    public int Count => _sent.Count;

    /// <summary>Records <paramref name="interaction"/> as sent now (call just before sending it).</summary>
    public void Sent(JsonObject interaction) =>
        _sent[interaction["token"]!.GetValue<string>()] = (interaction["id"]!.GetValue<string>(), Stopwatch.GetTimestamp());

    /// <summary>Records each of <paramref name="interactions"/> as sent (their send times as the ledger's own clock reads them).</summary>
    public InteractionLedger WithSent(IEnumerable<JsonObject> interactions)
    {
        foreach (var i in interactions)
        {
            Sent(i);
        }

        return this;
    }

    public IReadOnlyList<InteractionOutcome> Outcomes()
    {
        var byToken = new Dictionary<string, List<(RecordedRequest Request, int Status)>>(StringComparer.Ordinal);
        foreach (var answer in fake.Answers)
        {
            if (answer.Status is >= 200 and < 300 && TokenOf(answer.Request.Path) is { } token && _sent.ContainsKey(token))
            {
                if (!byToken.TryGetValue(token, out var list))
                {
                    byToken[token] = list = [];
                }

                list.Add(answer);
            }
        }

        return _sent.Select(s =>
        {
            var requests = byToken.TryGetValue(s.Key, out var l) ? l.Select(a => a.Request).ToList() : [];
            var callbacks = requests.Where(r => r.Path.EndsWith("/callback", StringComparison.Ordinal)).ToList();
            var edits = requests.Where(r => r.Method == "PATCH" && r.Path.EndsWith("/messages/@original", StringComparison.Ordinal)).ToList();
            var errors = requests.Where(r => r.Method == "POST" && r.Path.StartsWith("/webhooks/", StringComparison.Ordinal) && IsEphemeral(r.Json)).ToList();
            var callbackType = callbacks.Count > 0 ? callbacks[0].Json?.GetProperty("type").GetInt32() ?? 0 : 0;
            string? errorText = errors.Count > 0 ? Content(errors[0].Json)
                : callbackType == 4 ? Content(callbacks[0].Json?.GetProperty("data")) : null;
            var settledAt = edits.Where(e => HasEmbed(e.Json)).Concat(errors).Select(r => (long?)r.Timestamp).Min()
                            ?? (callbackType == 4 ? callbacks[0].Timestamp : null);
            return new InteractionOutcome(s.Value.Id, s.Value.SentAt, callbacks.Count, callbackType, callbacks.FirstOrDefault()?.Timestamp,
                edits.Count, edits.Count(e => HasEmbed(e.Json)), errors.Count, errorText, settledAt);
        }).ToList();
    }

    /// <summary>Waits until every interaction is answered or has its clear error (or the timeout passes).</summary>
    public async Task<IReadOnlyList<InteractionOutcome>> SettledAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var outcomes = Outcomes();
            if (outcomes.All(o => o.Answered || o.ClearError) || Stopwatch.GetTimestamp() > deadline)
            {
                return outcomes;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>"12 answered, 0 errors, 0 unanswered, 0 duplicated" for a failure message or a report.</summary>
    public static string Summary(IReadOnlyList<InteractionOutcome> outcomes) =>
        $"{outcomes.Count(o => o.Answered)} answered, {outcomes.Count(o => o.ClearError)} clear errors, " +
        $"{outcomes.Count(o => !o.Answered && !o.ClearError)} unanswered, {outcomes.Count(o => o.Duplicated)} duplicated, " +
        $"{outcomes.Count(o => o.Acknowledged)} acknowledged of {outcomes.Count}" +
        string.Concat(outcomes.Where(o => o.ErrorText is not null).Select(o => o.ErrorText).Distinct().Take(3).Select(t => $"; error: \"{t}\""));

    /// <summary>The interaction token in a callback or webhook path.</summary>
    private static string? TokenOf(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts switch
        {
            ["interactions", _, var token, "callback"] => Uri.UnescapeDataString(token),
            ["webhooks", _, var token, ..] => Uri.UnescapeDataString(token),
            _ => null,
        };
    }

    private static bool IsEphemeral(JsonElement? json) =>
        json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("flags", out var f) && f.TryGetInt32(out var v) && (v & 64) != 0;

    private static bool HasEmbed(JsonElement? json) =>
        json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("embeds", out var e) && e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0;

    private static string? Content(JsonElement? json) =>
        json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("content", out var c) ? c.GetString() : null;
}
