using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Vision;

namespace MoodBot.Cli;

public static class EvaluateCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("image-folder") { Description = "ImageFolder tree: <dir>/<class>/*.jpg (face crops, or whole photos with --photos)" };
        var json = new Option<bool>("--json") { Description = "Print JSON (images, accuracy, perClass, confusion, noFace)." };
        var photos = new Option<bool>("--photos")
        {
            Description = "The images are whole photos: run decode, detect, crop and classify as the bot does; the largest face is the prediction, no face counts as wrong.",
        };
        var cmd = new Command("evaluate", "Measure the emotion classifier on labelled face crops, or the whole pipeline on labelled photos.") { folder, json, photos };
        cmd.SetAction(async (parse, ct) => await RunAsync(parse.GetRequiredValue(folder), parse.GetValue(json), Console.Out, Console.Error, ct,
            parse.GetValue(photos)));
        return cmd;
    }

    public static async Task<int> RunAsync(DirectoryInfo folder, bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct, bool photos = false)
    {
        using var host = MoodBotHost.CreateBuilder(cli: true).Build();
        var evaluator = host.Services.GetRequiredService<EmotionEvaluator>();
        EvaluationResult r;
        try
        {
            r = await Task.Run(() => photos ? evaluator.EvaluatePhotos(folder.FullName, ct) : evaluator.Evaluate(folder.FullName, ct), ct);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or InvalidDataException)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.BadInput;
        }

        var inv = CultureInfo.InvariantCulture;
        if (json)
        {
            var confusion = Enumerable.Range(0, Emotions.Count)
                .Select(i => Enumerable.Range(0, Emotions.Count).Select(j => r.Confusion[i, j]).ToArray()).ToArray();
            var per = Emotions.All.ToDictionary(e => e.Name(),
                e => new ClassStatsJson(r.Count(e), Math.Round(r.Recall(e), 4), Math.Round(r.Precision(e), 4)));
            await stdout.WriteLineAsync(CliJsonMapping.Serialize(new EvaluateJson(r.Images, Math.Round(r.Accuracy, 4), per,
                Emotions.All.Select(e => e.Name()).ToList(), confusion, Math.Round(r.Elapsed.TotalSeconds, 2), r.NoFace)));
        }
        else
        {
            var sb = new StringBuilder();
            sb.Append(inv, $"{r.Images} images in {r.Elapsed.TotalSeconds:0.0} s, accuracy {r.Accuracy:P2}\n");
            if (photos)
            {
                sb.Append(inv, $"no face found in {r.NoFace} photo(s) (counted as wrong, not in the confusion matrix)\n");
            }

            sb.Append('\n');
            sb.Append(inv, $"{"class",-10}{"images",8}{"recall",9}{"precision",11}\n");
            foreach (var e in Emotions.All)
            {
                sb.Append(inv, $"{e.Name(),-10}{r.Count(e),8}{r.Recall(e),9:P1}{r.Precision(e),11:P1}\n");
            }

            sb.Append("\nconfusion (rows: truth, columns: predicted)\n").Append(' ', 10);
            foreach (var e in Emotions.All)
            {
                sb.Append(inv, $"{e.Name()[..Math.Min(7, e.Name().Length)],8}");
            }

            sb.Append('\n');
            foreach (var t in Emotions.All)
            {
                sb.Append(inv, $"{t.Name(),-10}");
                foreach (var p in Emotions.All)
                {
                    sb.Append(inv, $"{r.Confusion[(int)t, (int)p],8}");
                }

                sb.Append('\n');
            }

            if (r.Skipped.Count > 0)
            {
                sb.Append(inv, $"\n{r.Skipped.Count} unreadable file(s) skipped.\n");
            }

            await stdout.WriteAsync(sb.ToString());
        }

        return ExitCodes.Ok;
    }
}
