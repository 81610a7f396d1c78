using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Vision;

namespace MoodBot.Cli;

/// <summary>
/// <c>moodbot score-faces &lt;boxes.json&gt; &lt;photo-dir&gt;</c>: runs the bot's decode and detector on every labelled photo
/// and scores it against the box file — recall by face size at IoU ≥ 0.4, false faces per photo, single portraits that got
/// an extra face. <c>--thresholds</c> repeats the run per score threshold: the curve behind the shipped setting.
/// </summary>
public static class ScoreFacesCommand
{
    /// <summary>IoU a detection needs with a labelled box to count as that face (the WIDER FACE / issue 15 convention).</summary>
    public const double MinIoU = 0.4;

    // Face widths (upright original pixels) at which recall is broken down.
    private static readonly int[] SizeEdges = [0, 24, 48, 96, 192];

    public static Command Create()
    {
        var boxes = new Argument<FileInfo>("boxes") { Description = "Box file: {\"photos\": {\"<file>\": {\"faces\": [[x,y,w,h],...], \"profile\": [...]}}} (profile optional: neither required nor false)." };
        var dir = new Argument<DirectoryInfo>("photo-dir") { Description = "Folder the box file's names are relative to." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var thresholds = new Option<double[]>("--thresholds")
        {
            Description = "Score thresholds to run (MoodBot:Vision:FaceScoreThreshold); default: the configured one.",
            AllowMultipleArgumentsPerToken = true,
        };
        var set = new Option<string[]>("--set") { Description = "Extra MoodBot:Vision setting for every run, Key=Value (e.g. FaceFineTrigger=0.15)." };
        var detections = new Option<FileInfo?>("--detections")
        {
            Description = "Also write the detected boxes (original pixels) to this file, in the box file's format (one threshold only).",
        };
        var cmd = new Command("score-faces", "Score the face detector against a file of labelled boxes.") { boxes, dir, json, thresholds, set, detections };
        cmd.SetAction(async (parse, ct) => await RunAsync(parse.GetRequiredValue(boxes), parse.GetRequiredValue(dir), parse.GetValue(json),
            parse.GetValue(thresholds) ?? [], parse.GetValue(set) ?? [], Console.Out, Console.Error, ct, parse.GetValue(detections)));
        return cmd;
    }

    public static async Task<int> RunAsync(FileInfo boxFile, DirectoryInfo dir, bool json, double[] thresholds, string[] settings, TextWriter stdout,
        TextWriter stderr, CancellationToken ct, FileInfo? detectionsFile = null)
    {
        if (detectionsFile is not null && thresholds.Length > 1)
        {
            await stderr.WriteLineAsync("error: --detections writes one run's boxes; give at most one --thresholds value with it");
            return ExitCodes.BadInput;
        }

        List<LabelledPhoto> photos;
        try
        {
            photos = Read(boxFile);
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException
                                      or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {boxFile.FullName} is not a readable box file: {e.Message}");
            return ExitCodes.BadInput;
        }

        if (!dir.Exists)
        {
            await stderr.WriteLineAsync($"error: no such folder: {dir.FullName}");
            return ExitCodes.BadInput;
        }

        var overrides = new List<KeyValuePair<string, string?>>();
        foreach (var s in settings)
        {
            var eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                await stderr.WriteLineAsync($"error: --set expects Key=Value, got '{s}'");
                return ExitCodes.BadInput;
            }

            overrides.Add(new($"{VisionOptions.Section}:{s[..eq]}", s[(eq + 1)..]));
        }

        var runs = new List<FaceScoreJson>();
        var detected = detectionsFile is null ? null : new SortedDictionary<string, IReadOnlyList<DetectedFace>>(StringComparer.Ordinal);
        foreach (var t in thresholds.Length == 0 ? [double.NaN] : thresholds)
        {
            var o = new List<KeyValuePair<string, string?>>(overrides);
            if (!double.IsNaN(t))
            {
                o.Add(new($"{VisionOptions.Section}:FaceScoreThreshold", t.ToString(CultureInfo.InvariantCulture)));
            }

            using var host = MoodBotHost.CreateBuilder(cli: true, o).Build();
            var analyzer = host.Services.GetRequiredService<PhotoAnalyzer>();
            var threshold = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<VisionOptions>>().Value.FaceScoreThreshold;
            var score = await Task.Run(() => Score(analyzer, photos, dir, detected, ct), ct);
            runs.Add(score with { Threshold = threshold });
        }

        if (detectionsFile is not null && detected is not null)
        {
            var file = new DetectionsJson(detected.ToDictionary(p => p.Key, p => new DetectedPhotoJson(
                p.Value.Select(d => new[] { d.Box.X, d.Box.Y, d.Box.Width, d.Box.Height }).ToList(), p.Value.Select(d => Math.Round(d.Score, 4)).ToList())));
            await File.WriteAllTextAsync(detectionsFile.FullName, JsonSerializer.Serialize(file, ScoreJsonContext.Default.DetectionsJson), ct);
        }

        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(runs, ScoreJsonContext.Default.ListFaceScoreJson));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{photos.Count} photos, {runs[0].Faces} labelled faces, IoU >= {MinIoU}\n");
        sb.Append(inv, $"{"threshold",10}{"found",8}{"recall",8}{"false",7}{"false/photo",13}{"extra on single",17}");
        foreach (var b in runs[0].BySize)
        {
            sb.Append(inv, $"{(b.MaxWidth is { } m ? $"<{m}px" : $">={b.MinWidth}px"),12}");
        }

        sb.Append('\n');
        foreach (var r in runs)
        {
            sb.Append(inv, $"{r.Threshold,10:0.00}{r.Found,8}{r.Recall,8:0.000}{r.FalseFaces,7}{r.FalsePerPhoto,13:0.0000}{r.SinglesWithExtra,17}");
            foreach (var b in r.BySize)
            {
                sb.Append(inv, $"{(b.Faces == 0 ? "-" : $"{b.Recall:0.00} ({b.Faces})"),12}");
            }

            sb.Append('\n');
        }

        var missing = runs[0].Unreadable;
        if (missing.Count > 0)
        {
            sb.Append(inv, $"{missing.Count} photo(s) could not be read and were left out: {string.Join(", ", missing.Take(5))}\n");
        }

        await stdout.WriteAsync(sb.ToString());
        return ExitCodes.Ok;
    }

    private sealed record LabelledPhoto(string Name, IReadOnlyList<FaceBox> Faces, IReadOnlyList<FaceBox> Profile);

    private static List<LabelledPhoto> Read(FileInfo file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file.FullName));
        static FaceBox Box(JsonElement e) => e.GetArrayLength() == 4
            ? new FaceBox(e[0].GetInt32(), e[1].GetInt32(), e[2].GetInt32(), e[3].GetInt32())
            : throw new InvalidDataException("a box is [x, y, width, height]");
        static List<FaceBox> Boxes(JsonElement photo, string key) =>
            photo.TryGetProperty(key, out var a) ? a.EnumerateArray().Select(Box).ToList() : [];
        var list = doc.RootElement.GetProperty("photos").EnumerateObject()
            .Select(p => new LabelledPhoto(p.Name, Boxes(p.Value, "faces"), Boxes(p.Value, "profile")))
            .ToList();
        return list.Count > 0 ? list : throw new InvalidDataException("no photos listed");
    }

    private static FaceScoreJson Score(PhotoAnalyzer analyzer, List<LabelledPhoto> photos, DirectoryInfo dir,
        SortedDictionary<string, IReadOnlyList<DetectedFace>>? record, CancellationToken ct)
    {
        var faces = new int[SizeEdges.Length];
        var found = new int[SizeEdges.Length];
        int falses = 0, photosWithFalse = 0, singles = 0, scored = 0;
        var unreadable = new List<string>();
        foreach (var photo in photos)
        {
            ct.ThrowIfCancellationRequested();
            IReadOnlyList<DetectedFace> result;
            try
            {
                result = analyzer.DetectFaces(File.ReadAllBytes(Path.Combine(dir.FullName, photo.Name)), ct);
            }
            catch (Exception e) when (e is IOException or UnsupportedImageException or UnauthorizedAccessException)
            {
                unreadable.Add(photo.Name);
                continue;
            }

            scored++;
            if (record is not null)
            {
                record[photo.Name] = result;
            }

            var detected = result.Select(d => d.Box).ToList();

            var (matched, extra) = Match(photo.Faces, photo.Profile, detected);
            for (var i = 0; i < photo.Faces.Count; i++)
            {
                var bucket = Array.FindLastIndex(SizeEdges, e => photo.Faces[i].Width >= e);
                faces[bucket]++;
                found[bucket] += matched[i] ? 1 : 0;
            }

            falses += extra;
            photosWithFalse += extra > 0 ? 1 : 0;
            singles += extra > 0 && photo.Faces.Count == 1 ? 1 : 0;
        }

        var bySize = SizeEdges.Select((e, i) => new SizeScoreJson(e, i + 1 < SizeEdges.Length ? SizeEdges[i + 1] : null, faces[i], found[i],
            faces[i] == 0 ? 0 : Math.Round((double)found[i] / faces[i], 4))).ToList();
        var total = faces.Sum();
        return new FaceScoreJson(0, scored, total, found.Sum(), total == 0 ? 0 : Math.Round((double)found.Sum() / total, 4), falses,
            scored == 0 ? 0 : Math.Round((double)falses / scored, 4), photosWithFalse, singles, bySize, unreadable);
    }

    /// <summary>
    /// One-to-one matching, best IoU first. A detection on a labelled profile face is neither found nor false; any other
    /// unmatched detection (including a second box on an already matched face) is a false face.
    /// </summary>
    internal static (bool[] Matched, int FalseFaces) Match(IReadOnlyList<FaceBox> faces, IReadOnlyList<FaceBox> profile, IReadOnlyList<FaceBox> detected)
    {
        var pairs = new List<(double IoU, int Face, int Det)>();
        for (var f = 0; f < faces.Count; f++)
        {
            for (var d = 0; d < detected.Count; d++)
            {
                var iou = IoU(faces[f], detected[d]);
                if (iou >= MinIoU)
                {
                    pairs.Add((iou, f, d));
                }
            }
        }

        var matched = new bool[faces.Count];
        var used = new bool[detected.Count];
        foreach (var (_, f, d) in pairs.OrderByDescending(p => p.IoU))
        {
            if (!matched[f] && !used[d])
            {
                matched[f] = used[d] = true;
            }
        }

        var falses = 0;
        for (var d = 0; d < detected.Count; d++)
        {
            if (!used[d] && !profile.Any(p => IoU(p, detected[d]) >= MinIoU))
            {
                falses++;
            }
        }

        return (matched, falses);
    }

    internal static double IoU(FaceBox a, FaceBox b)
    {
        var w = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
        var h = Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var inter = (double)w * h;
        return inter / (a.Area + b.Area - inter);
    }
}

/// <summary>What <c>--detections</c> writes: the box file's own shape, so a run can be read back like labels.</summary>
public sealed record DetectionsJson(IReadOnlyDictionary<string, DetectedPhotoJson> Photos);

public sealed record DetectedPhotoJson(IReadOnlyList<int[]> Faces, IReadOnlyList<double> Scores);

public sealed record SizeScoreJson(int MinWidth, int? MaxWidth, int Faces, int Found, double Recall);

public sealed record FaceScoreJson(double Threshold, int Photos, int Faces, int Found, double Recall, int FalseFaces, double FalsePerPhoto,
    int PhotosWithFalse, int SinglesWithExtra, IReadOnlyList<SizeScoreJson> BySize, IReadOnlyList<string> Unreadable);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(List<FaceScoreJson>))]
[JsonSerializable(typeof(DetectionsJson))]
internal sealed partial class ScoreJsonContext : JsonSerializerContext;
