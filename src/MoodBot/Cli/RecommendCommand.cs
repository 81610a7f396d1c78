using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Music;

namespace MoodBot.Cli;

public static class RecommendCommand
{
    public static Command Create()
    {
        var emotion = new Option<string?>("--emotion") { Description = "angry, disgust, fear, happy, sad, surprise or neutral (the manual mood override)." };
        var valence = new Option<double?>("--valence") { Description = "Target valence 0..1 (with --energy, instead of --emotion)." };
        var energy = new Option<double?>("--energy") { Description = "Target energy 0..1." };
        var mode = new Option<string>("--mode") { Description = "match (meet the mood) or lift (start at it, move toward calm/happy).", DefaultValueFactory = _ => "match" };
        var count = new Option<int>("--count") { Description = "Number of tracks (1-50).", DefaultValueFactory = _ => 10 };
        var genre = new Option<string?>("--genre") { Description = "Only tracks of this genre." };
        var user = new Option<string?>("--user") { Description = "Remember this list for the user key and skip their recent tracks." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var cmd = new Command("recommend", "Recommend tracks for a mood, without a photo.") { emotion, valence, energy, mode, count, genre, user, json };
        cmd.SetAction(async (parse, ct) => await RunAsync(
            new Args(parse.GetValue(emotion), parse.GetValue(valence), parse.GetValue(energy), parse.GetValue(mode), parse.GetValue(count),
                parse.GetValue(genre), parse.GetValue(user), parse.GetValue(json)),
            Console.Out, Console.Error, ct));
        return cmd;
    }

    public sealed record Args(string? Emotion, double? Valence, double? Energy, string? Mode, int Count, string? Genre, string? User, bool Json);

    public static async Task<int> RunAsync(Args args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        MoodTarget target;
        if (args.Emotion is not null)
        {
            if (args.Valence is not null || args.Energy is not null)
            {
                await stderr.WriteLineAsync("error: give --emotion or --valence with --energy, not both.");
                return ExitCodes.BadInput;
            }

            if (!Emotions.TryParse(args.Emotion, out var e))
            {
                await stderr.WriteLineAsync($"error: unknown emotion '{args.Emotion}'; use one of {string.Join(", ", Emotions.All.Select(x => x.Name()))}.");
                return ExitCodes.BadInput;
            }

            target = MoodMapper.Coordinates(e);
        }
        else if (args.Valence is { } v && args.Energy is { } en)
        {
            if (v is < 0 or > 1 || en is < 0 or > 1 || double.IsNaN(v) || double.IsNaN(en))
            {
                await stderr.WriteLineAsync("error: --valence and --energy must be between 0 and 1.");
                return ExitCodes.BadInput;
            }

            target = new MoodTarget(v, en);
        }
        else
        {
            await stderr.WriteLineAsync("error: give --emotion <name>, or both --valence and --energy.");
            return ExitCodes.BadInput;
        }

        if (!MusicCliJson.TryParseMode(args.Mode, out var mode))
        {
            await stderr.WriteLineAsync($"error: unknown mode '{args.Mode}'; use match or lift.");
            return ExitCodes.BadInput;
        }

        if (args.Count is < 1 or > 50)
        {
            await stderr.WriteLineAsync("error: --count must be between 1 and 50.");
            return ExitCodes.BadInput;
        }

        using var host = MoodBotHost.CreateBuilder(cli: true).Build();
        await CliCatalog.EnsureSeededAsync(host.Services, stderr, ct);
        var recommender = host.Services.GetRequiredService<IRecommender>();
        var rec = await recommender.RecommendAsync(new RecommendationRequest(target, mode, args.Count, args.Genre, args.User), ct);
        if (args.Json)
        {
            await stdout.WriteLineAsync(MusicCliJson.Serialize(new RecommendJson(Math.Round(target.Valence, 3), Math.Round(target.Energy, 3),
                mode.ModeName(), rec.Source, rec.Genres, rec.Tracks.Select(t => t.ToJson()).ToList())));
            if (rec.Tracks.Count == 0)
            {
                await stderr.WriteLineAsync("note: no tracks: " + WhyNoTracks(rec.NoTracks));
            }
        }
        else
        {
            await stdout.WriteAsync(FormatMusic(target, mode, rec));
        }

        return ExitCodes.Ok;
    }

    /// <summary>The target, the genres and the tracks, as the table output of recommend and analyze prints them.</summary>
    internal static string FormatMusic(MoodTarget target, RecommendationMode mode, Recommendation rec)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"Target: valence {target.Valence:0.000}, energy {target.Energy:0.000} ({mode.ModeName()}); source: {rec.Source}\n");
        if (rec.Genres.Count > 0)
        {
            sb.Append("Genres: ").AppendJoin(", ", rec.Genres).Append('\n');
        }

        if (rec.Tracks.Count == 0)
        {
            sb.Append("No tracks: ").Append(WhyNoTracks(rec.NoTracks)).Append('\n');
            return sb.ToString();
        }

        sb.Append(inv, $"{"#",-3}{"valence",8}{"energy",8}  {"track",-40} {"artists",-28} url\n");
        for (var i = 0; i < rec.Tracks.Count; i++)
        {
            var t = rec.Tracks[i];
            sb.Append(inv, $"{i + 1,-3}{t.Valence,8:0.000}{t.Energy,8:0.000}  {Cut(t.Name, 40),-40} {Cut(string.Join(", ", t.Artists), 28),-28} {t.Url}\n");
        }

        return sb.ToString();
    }

    /// <summary>The no-tracks reason in an operator's words (the CLI is run by whoever hosts the bot).</summary>
    internal static string WhyNoTracks(NoTracksReason reason) => reason switch
    {
        NoTracksReason.NoSource => "no music source is configured: the catalog is empty (the shipped one was not loaded; see " +
            "MoodBot:Music:SeedCatalog) and Spotify is off. Import one (moodbot catalog import <csv>) or configure Spotify.",
        NoTracksReason.CatalogLoading => "the shipped catalog is still being loaded; try again in a moment.",
        NoTracksReason.SourceFailing => "the music source is failing right now (the catalog database or Spotify did not answer; " +
            "see the warnings above); try again later.",
        _ => "nothing in the catalog fits this request (an unknown --genre, or every candidate was recommended to --user recently).",
    };

    private static string Cut(string s, int max) => s.Length <= max ? s : string.Concat(s.AsSpan(0, max - 1), "…");
}
