using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// <c>/moodmusic photo:… [mood] [mode] [count] [playlist]</c>. Cheap checks first (cooldown, attachment origin), then the
/// deferral goes out before any slow work, because Discord drops interactions not answered within 3 seconds.
/// </summary>
internal sealed class MoodMusicCommand(
    IServiceProvider services,
    AttachmentDownloader downloader,
    CooldownTracker cooldown,
    GuildPolicy guilds,
    MoodMusicService music,
    SpotifySaver spotify,
    MoodBotMetrics metrics,
    TimeProvider time,
    ILogger<MoodMusicCommand> logger) : IDeferrableInteractionHandler
{
    /// <summary>
    /// The settings read on the HTTP answer's path gets less time than <see cref="GuildPolicy.ReadBudget"/>: past it the
    /// deferral goes out ephemeral, the kind that cannot show a private channel's answer publicly (the member then sees
    /// the answer privately even where it would have been public).
    /// </summary>
    internal static readonly TimeSpan PlanBudget = TimeSpan.FromMilliseconds(300);

    public const string Name = "moodmusic";

    public bool CanHandle(Interaction interaction) =>
        interaction.Type == InteractionType.ApplicationCommand && interaction.Data?.Name == Name;

    public async Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await RunAsync(context, CommandArgs.Parse(context.Interaction), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<ResponseState> PlanDeferralAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        CommandArgs args;
        try
        {
            args = CommandArgs.Parse(interaction);
        }
        catch (InteractionProblemException)
        {
            return ValueTask.FromResult(ResponseState.None);
        }

        return PlanDeferralAsync(interaction, args.Photo, cancellationToken);
    }

    /// <summary>The deferral for a run on <paramref name="photo"/>; None when the photo is refused at a glance (answered inline).</summary>
    internal async ValueTask<ResponseState> PlanDeferralAsync(Interaction interaction, Attachment photo, CancellationToken cancellationToken)
    {
        try
        {
            downloader.Validate(photo);
        }
        catch (InteractionProblemException)
        {
            return ResponseState.None;
        }

        // A hard budget, not only a cancellation: a SQLite read queued behind writers does not watch its token (measured
        // at up to 2 s under load). The read is left to finish on its own; its answer is not needed any more.
        using var budget = new CancellationTokenSource();
        var read = guilds.ForAsync(interaction, budget.Token);
        if (await Task.WhenAny(read, Task.Delay(PlanBudget, time, cancellationToken)).ConfigureAwait(false) != read)
        {
            await budget.CancelAsync().ConfigureAwait(false);
            _ = read.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            Log.DeferralKindGuessed(logger, PlanBudget.TotalMilliseconds);
            return ResponseState.DeferredEphemeral;
        }

        var settings = await read.ConfigureAwait(false);
        return GuildPolicy.IsPublic(settings, interaction) ? ResponseState.DeferredPublic : ResponseState.DeferredEphemeral;
    }

    /// <summary>Everything after the options are known; the message command (<see cref="PhotoMessageCommand"/>) enters here too.</summary>
    internal async Task RunAsync(InteractionContext context, CommandArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        // Server settings (/moodbot-settings) fill what the member left out; one primary-key read, shared by every instance.
        var settings = await guilds.ForAsync(context.Interaction, cancellationToken).ConfigureAwait(false);
        var mode = args.Mode ?? settings?.DefaultMode ?? RecommendationMode.Match;
        var count = args.Count ?? settings?.DefaultCount ?? MoodReply.DefaultCount;
        var cooldownDecision = await cooldown.TryStartAsync(context.UserId, settings, cancellationToken).ConfigureAwait(false);
        if (!cooldownDecision.Started)
        {
            throw new InteractionProblemException(ProblemKind.RateLimited,
                ReplyCulture.Format(Strings.Cooldown, Math.Ceiling(cooldownDecision.Remaining.TotalSeconds)));
        }

        var url = downloader.Validate(args.Photo);
        await context.DeferAsync(ephemeral: !GuildPolicy.IsPublic(settings, context.Interaction), cancellationToken).ConfigureAwait(false);

        var started = time.GetTimestamp();
        var photo = await downloader.DownloadAsync(url, cancellationToken).ConfigureAwait(false);
        metrics.Stage("download", time.GetElapsedTime(started));
        var analyzer = services.GetService<IPhotoAnalyzer>() ?? throw new InteractionProblemException(ProblemKind.NotConfigured,
            Strings.AnalysisNotConfigured);
        PhotoAnalysis analysis;
        try
        {
            analysis = await analyzer.AnalyzeAsync(photo, cancellationToken).ConfigureAwait(false);
        }
        catch (PhotoAnalysisBusyException)
        {
            // Not the member's doing: the cooldown goes back, so "try again in a moment" is true.
            await cooldown.ReleaseAsync(context.UserId, cancellationToken).ConfigureAwait(false);
            throw new InteractionProblemException(ProblemKind.Busy, Strings.AnalysisBusy);
        }

        EmotionProbabilities mood;
        var manual = args.Mood is not null;
        if (args.Mood is { } picked)
        {
            mood = EmotionProbabilities.OneHot(picked);
        }
        else
        {
            mood = analysis.Mood?.Probabilities ?? throw new InteractionProblemException(ProblemKind.NoFace,
                Strings.NoFace);
        }

        started = time.GetTimestamp();
        // A mood the member picked is not the faces' blend, so their disagreement is not news then.
        var reply = await music.RecommendAsync(mood, analysis.Faces, manual, mode, count, context.UserId, context.UserId, null,
            cancellationToken, manual ? null : analysis.Disagreement).ConfigureAwait(false);
        metrics.Stage("recommend", time.GetElapsedTime(started));
        started = time.GetTimestamp();
        var (message, chart) = ReplyBuilder.Build(reply);
        metrics.Stage("render", time.GetElapsedTime(started));
        started = time.GetTimestamp();
        await context.EditOriginalAsync(message, [chart], cancellationToken).ConfigureAwait(false);
        metrics.Stage("reply", time.GetElapsedTime(started));
        Log.RecommendationDelivered(logger, reply.Mood.Top, reply.Recommendation.Tracks.Count, analysis.Faces.Count);

        if (args.Playlist && reply.Recommendation.Tracks.Count > 0)
        {
            var result = await spotify.SaveAsync(context.UserId, reply, cancellationToken).ConfigureAwait(false);
            await context.FollowupAsync(result, ephemeral: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The command's options, with defaults for the optional ones.</summary>
    /// <summary>Mode and count are null when the member left them out (the server's defaults apply then).</summary>
    internal sealed record CommandArgs(Attachment Photo, Emotion? Mood, RecommendationMode? Mode, int? Count, bool Playlist)
    {
        public static CommandArgs Parse(Interaction interaction)
        {
            var data = interaction.Data!;
            Attachment? photo = null;
            Emotion? mood = null;
            RecommendationMode? mode = null;
            int? count = null;
            var playlist = false;
            foreach (var o in data.Options ?? [])
            {
                // The payload is untrusted (docs/fuzzing.md): a null entry or a value of the wrong JSON kind is ignored, not thrown on.
                if (o is null)
                {
                    continue;
                }

                var text = InteractionParser.StringOrNull(o.Value);
                switch (o.Name)
                {
                    case "photo" when text is { } id && data.Resolved?.Attachments?.TryGetValue(id, out var a) == true:
                        photo = a;
                        break;
                    case "mood" when Emotions.TryParse(text, out var e):
                        mood = e;
                        break;
                    case "mode":
                        mode = string.Equals(text, "lift", StringComparison.OrdinalIgnoreCase) ? RecommendationMode.Lift : RecommendationMode.Match;
                        break;
                    case "count" when o.Value.ValueKind == System.Text.Json.JsonValueKind.Number && o.Value.TryGetInt32(out var n):
                        count = Math.Clamp(n, MoodReply.MinCount, MoodReply.MaxCount);
                        break;
                    case "playlist":
                        playlist = o.Value.ValueKind == System.Text.Json.JsonValueKind.True;
                        break;
                }
            }

            return new CommandArgs(
                photo ?? throw new InteractionProblemException(ProblemKind.AttachmentRefused, Strings.AttachPhoto),
                mood, mode, count, playlist);
        }
    }
}

/// <summary>Saving a reply's tracks as a playlist, or explaining how to link first.</summary>
internal sealed class SpotifySaver(IServiceProvider services)
{
    public async Task<MessagePayload> SaveAsync(string userId, MoodReply reply, CancellationToken ct) =>
        await SaveAsync(userId, reply.Mood.Top, reply.Mode, reply.Recommendation.Tracks.Select(t => t.Id).ToList(), ct).ConfigureAwait(false);

    public async Task<MessagePayload> SaveAsync(string userId, Emotion emotion, RecommendationMode mode, IReadOnlyList<string> trackIds,
        CancellationToken ct)
    {
        var linking = services.GetService<ISpotifyLinking>();
        if (linking is not { IsConfigured: true })
        {
            throw new InteractionProblemException(ProblemKind.NotConfigured, Strings.SavingNotConfigured);
        }

        var name = $"MoodBot · {emotion.Name()}{(mode == RecommendationMode.Lift ? " → lift" : string.Empty)}";
        var result = await linking.SavePlaylistAsync(userId, name, "Picked by MoodBot from a photo's mood.", trackIds, ct).ConfigureAwait(false);
        // The Spotify layer's message is English; the member reads the sentence for the problem in their own language.
        switch (result.Problem)
        {
            case PlaylistProblem.NotLinked:
                return await LinkOfferAsync(linking, userId, null, ct).ConfigureAwait(false);
            case PlaylistProblem.LinkExpired:
                return await LinkOfferAsync(linking, userId, Strings.LinkExpired, ct).ConfigureAwait(false);
            case PlaylistProblem.NotAllowed:
                throw new InteractionProblemException(ProblemKind.Unavailable, Strings.SaveNotAllowed);
            case PlaylistProblem.RateLimited:
                throw new InteractionProblemException(ProblemKind.RateLimited, Strings.SpotifyBusy);
            case not PlaylistProblem.None:
            case PlaylistProblem.None when !result.Success:
                throw new InteractionProblemException(ProblemKind.Unavailable, Strings.SaveFailed);
        }

        return new MessagePayload
        {
            Content = ReplyCulture.Format(Strings.PlaylistSaved, trackIds.Distinct(StringComparer.Ordinal).Count(), name),
            Components = result.PlaylistUrl is { } u ? [new ActionRow([new Button { Style = Button.Link, Label = Strings.OpenPlaylist, Url = u }])] : null,
        };
    }

    /// <summary>A private link button (valid 10 minutes) — the same as /link, offered where it is needed.</summary>
    public static async Task<MessagePayload> LinkOfferAsync(ISpotifyLinking linking, string userId, string? why, CancellationToken ct)
    {
        var url = await linking.CreateAuthorizeUrlAsync(userId, ct).ConfigureAwait(false);
        return new MessagePayload
        {
            Content = (string.IsNullOrEmpty(why) ? string.Empty : why + "\n") + Strings.LinkOffer,
            // AbsoluteUri keeps the escaping: Uri.ToString() would turn the scope's %20 back into a space, and Discord
            // refuses a button whose url is not a valid URI.
            Components = [new ActionRow([new Button { Style = Button.Link, Label = Strings.LinkButton, Url = url.AbsoluteUri }])],
        };
    }
}
