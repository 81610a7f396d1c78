using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Music;

namespace MoodBot.Cli;

public static class CatalogCommand
{
    public static Command Create()
    {
        var csv = new Argument<FileInfo>("csv") { Description = "Track CSV (tidytuesday spotify_songs, 114k Spotify Tracks, data_moods, 2024 Spotify Music Dataset, or MoodBot's merged layout)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var import = new Command("import", "Import tracks into the catalog (upsert by Spotify id; re-importing is a no-op).") { csv, json };
        import.SetAction(async (parse, ct) => await ImportAsync(parse.GetRequiredValue(csv), parse.GetValue(json), Console.Out, Console.Error, ct));

        var sources = new Argument<FileInfo[]>("csv") { Description = "Track CSV files to average.", Arity = ArgumentArity.OneOrMore };
        var minTracks = new Option<int>("--min-tracks") { Description = "Leave out genres with fewer tracks.", DefaultValueFactory = _ => 30 };
        var output = new Option<FileInfo?>("--output") { Description = "Write here instead of stdout." };
        var profiles = new Command("genre-profiles",
            "Compute the per-genre mean valence/energy table used when there is no catalog (the figures in MoodBot.Music/genre-profiles.csv).")
            { sources, minTracks, output };
        profiles.SetAction(async (parse, ct) =>
            await GenreProfilesAsync(parse.GetRequiredValue(sources), parse.GetValue(minTracks), parse.GetValue(output), Console.Out, Console.Error, ct));

        var shippedSources = new Argument<FileInfo[]>("csv") { Description = "Track CSV files (the tidytuesday spotify_songs.csv for the shipped file).", Arity = ArgumentArity.OneOrMore };
        var shippedOutput = new Option<FileInfo>("--output") { Description = "Where to write the gzip CSV.", DefaultValueFactory = _ => new FileInfo(ShippedCatalog.DefaultPath) };
        var shipped = new Command("build-shipped",
            "Build the default catalog shipped beside the binary (catalog/tracks.csv.gz): one row per track, genres of all its playlists.")
            { shippedSources, shippedOutput };
        shipped.SetAction(async (parse, ct) =>
            await BuildShippedAsync(parse.GetRequiredValue(shippedSources), parse.GetRequiredValue(shippedOutput), Console.Out, Console.Error, ct));

        return new Command("catalog", "Manage the local track catalog.") { import, profiles, shipped };
    }

    public static async Task<int> ImportAsync(FileInfo file, bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!file.Exists)
        {
            await stderr.WriteLineAsync($"error: file not found: {file.FullName}");
            return ExitCodes.BadInput;
        }

        using var host = MoodBotHost.CreateBuilder(cli: true).Build();
        var importer = host.Services.GetRequiredService<CatalogImporter>();
        CatalogImportReport report;
        try
        {
            // Imports add to the shipped tracks (an empty catalog gets them first, as at any start).
            await CliCatalog.EnsureSeededAsync(host.Services, stderr, ct);
            report = await importer.ImportAsync(file.FullName, ct);
        }
        catch (FormatException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.BadInput;
        }

        if (json)
        {
            await stdout.WriteLineAsync(MusicCliJson.Serialize(report));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{report.File} ({report.Layout}): {report.Rows} rows, {report.Accepted} accepted, {report.Rejected} rejected\n");
        sb.Append(inv, $"  {report.Inserted} new, {report.Updated} changed, {report.Unchanged} unchanged; catalog now {report.CatalogSize} tracks; {report.Elapsed.TotalSeconds:0.0} s\n");
        foreach (var (reason, n) in report.RejectedBy.OrderByDescending(kv => kv.Value))
        {
            sb.Append(inv, $"  rejected {n,7}: {reason}\n");
        }

        foreach (var example in report.Examples)
        {
            sb.Append("    e.g. ").Append(example).Append('\n');
        }

        await stdout.WriteAsync(sb.ToString());
        return ExitCodes.Ok;
    }

    public static async Task<int> GenreProfilesAsync(FileInfo[] files, int minTracks, FileInfo? output, TextWriter stdout, TextWriter stderr,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var tracks = new Dictionary<string, MoodBot.Core.Track>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            if (!f.Exists)
            {
                await stderr.WriteLineAsync($"error: file not found: {f.FullName}");
                return ExitCodes.BadInput;
            }

            using var reader = CatalogCsv.Open(f.FullName);
            foreach (var r in reader.Records())
            {
                ct.ThrowIfCancellationRequested();
                if (r.Track is { } t)
                {
                    tracks.TryAdd(t.Id, t);
                }
            }
        }

        var table = GenreProfiles.Compute(tracks.Values, minTracks);
        var notes = new[]
        {
            $"Mean Spotify valence/energy per genre tag ({table.All.Count} tags with >= {minTracks} tracks) over {tracks.Count} unique tracks.",
            "Source: " + string.Join(", ", files.Select(f => $"{f.Name} (sha256 {Sha256(f)})")) + "; public datasets listed in shared/datasets/music/MANIFEST.md.",
            "Generated by: moodbot catalog genre-profiles <csv...> --min-tracks " + minTracks.ToString(CultureInfo.InvariantCulture),
        };
        if (output is null)
        {
            table.Write(stdout, notes);
        }
        else
        {
            await using var w = new StreamWriter(output.FullName, append: false, new UTF8Encoding(false));
            table.Write(w, notes);
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> BuildShippedAsync(FileInfo[] files, FileInfo output, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (files.FirstOrDefault(f => !f.Exists) is { } missing)
        {
            await stderr.WriteLineAsync($"error: file not found: {missing.FullName}");
            return ExitCodes.BadInput;
        }

        List<MoodBot.Core.Track> tracks;
        int rows, rejected;
        try
        {
            tracks = ShippedCatalog.Build(files.Select(f => f.FullName), out rows, out rejected);
        }
        catch (FormatException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.BadInput;
        }

        ct.ThrowIfCancellationRequested();
        output.Directory?.Create();
        await using (var stream = output.Create())
        {
            ShippedCatalog.Write(stream, tracks);
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{output.Name}: {tracks.Count} tracks from {rows} rows ({rejected} rejected); {new FileInfo(output.FullName).Length / 1024.0:0} KB"));
        return ExitCodes.Ok;
    }

    private static string Sha256(FileInfo f)
    {
        using var s = f.OpenRead();
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(s));
    }
}
