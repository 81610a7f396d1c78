using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;

namespace MoodBot.Cli;

public static class AnalyzeCommand
{
    public static Command Create()
    {
        var image = new Argument<FileInfo>("image") { Description = "Photo to analyse (JPEG, PNG, WebP, GIF, BMP)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var mode = new Option<string>("--mode") { Description = "match (meet the mood) or lift (start at it, move toward calm/happy).", DefaultValueFactory = _ => "match" };
        var count = new Option<int>("--count") { Description = "Number of tracks to recommend (0-50; 0: none).", DefaultValueFactory = _ => 10 };
        var cmd = new Command("analyze", "Find faces in a photo, the emotion of each, the mood's music target and tracks.") { image, json, mode, count };
        cmd.SetAction(async (parse, ct) =>
            await RunAsync(parse.GetRequiredValue(image), parse.GetValue(json), Console.Out, Console.Error, ct, parse.GetValue(mode), parse.GetValue(count)));
        return cmd;
    }

    public static async Task<int> RunAsync(FileInfo file, bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct,
        string? mode = "match", int count = 10)
    {
        if (!MusicCliJson.TryParseMode(mode, out var recommendationMode))
        {
            await stderr.WriteLineAsync($"error: unknown mode '{mode}'; use match or lift.");
            return ExitCodes.BadInput;
        }

        if (count is < 0 or > 50)
        {
            await stderr.WriteLineAsync("error: --count must be between 0 and 50.");
            return ExitCodes.BadInput;
        }

        using var host = MoodBotHost.CreateBuilder(cli: true).Build();
        var analyzer = host.Services.GetRequiredService<IPhotoAnalyzer>();
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Vision.VisionOptions>>().Value;

        byte[] bytes;
        try
        {
            if (!file.Exists)
            {
                await stderr.WriteLineAsync($"error: file not found: {file.FullName}");
                return ExitCodes.BadInput;
            }

            // Refuse by size before reading the whole file into memory.
            if (file.Length > options.MaxBytes)
            {
                await stderr.WriteLineAsync($"error: the file is {file.Length / 1048576.0:0.#} MB; the limit is {options.MaxBytes / 1048576.0:0.#} MB.");
                return ExitCodes.BadInput;
            }

            bytes = await File.ReadAllBytesAsync(file.FullName, ct);
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"error: cannot read {file.Name}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: no permission to read {file.Name}");
            return ExitCodes.BadInput;
        }

        PhotoAnalysis analysis;
        try
        {
            analysis = await analyzer.AnalyzeAsync(bytes, ct);
        }
        catch (UnsupportedImageException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.BadInput;
        }

        // The mood's point in (valence, energy) and the music for it; without a catalog or Spotify the genres still come back.
        MusicResult? music = null;
        if (analysis.Mood is { } mood)
        {
            var target = host.Services.GetRequiredService<IMoodTargetMapper>().Map(mood.Probabilities, recommendationMode);
            if (count > 0)
            {
                await CliCatalog.EnsureSeededAsync(host.Services, stderr, ct);
            }

            var rec = count == 0
                ? new Recommendation([], [], "none")
                : await host.Services.GetRequiredService<IRecommender>()
                    .RecommendAsync(new RecommendationRequest(target, recommendationMode, count), ct);
            music = new MusicResult(target, recommendationMode, rec);
        }

        if (json)
        {
            await stdout.WriteLineAsync(CliJsonMapping.Serialize(analysis.ToJson(music)));
            if (music is { Recommendation: { Tracks.Count: 0, NoTracks: not NoTracksReason.None } r })
            {
                // The JSON keeps its documented shape; the reason goes where a person reads it.
                await stderr.WriteLineAsync("note: no tracks: " + RecommendCommand.WhyNoTracks(r.NoTracks));
            }
        }
        else
        {
            await stdout.WriteAsync(FormatTable(analysis));
            if (music is not null)
            {
                await stdout.WriteAsync(RecommendCommand.FormatMusic(music.Target, music.Mode, music.Recommendation));
            }
        }

        return analysis.Faces.Count > 0 ? ExitCodes.Ok : ExitCodes.NoFace;
    }

    internal static string FormatTable(PhotoAnalysis a)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"Photo {a.Width}x{a.Height}: {a.Faces.Count} face(s) in {a.Timings.Total.TotalMilliseconds:0.0} ms\n");
        if (a.Faces.Count == 0)
        {
            sb.Append("No face found. Try a photo where faces are front-on and well lit.\n");
            return sb.ToString();
        }

        sb.Append(inv, $"{"#",-3}{"box (x,y,w,h)",-22}{"emotion",-10}{"conf",6}  ");
        foreach (var e in Emotions.All)
        {
            sb.Append(inv, $"{e.Name(),9}");
        }

        sb.Append('\n');
        for (var i = 0; i < a.Faces.Count; i++)
        {
            var f = a.Faces[i];
            sb.Append(inv, $"{i + 1,-3}{$"{f.Box.X},{f.Box.Y},{f.Box.Width},{f.Box.Height}",-22}{f.Emotion.Name(),-10}{f.Confidence,6:0.00}  ");
            if (f.DetectorScore < a.MoodFloor)
            {
                sb.Append("(unsure face: not counted) ");
            }

            foreach (var e in Emotions.All)
            {
                sb.Append(inv, $"{f.Probabilities[e],9:0.000}");
            }

            sb.Append('\n');
        }

        var mood = a.Mood!;
        sb.Append(inv, $"Overall mood (weighted by face size and detector confidence): {mood.Emotion.Name()} ({mood.Probabilities.TopProbability:0.00})\n");
        if (a.Disagreement.Count > 0)
        {
            sb.Append(inv, $"The faces disagree: {string.Join(", ", a.Disagreement.Select(d => $"{d.Faces} {d.Emotion.Name()}"))}\n");
        }
        return sb.ToString();
    }
}
