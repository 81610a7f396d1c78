using System.CommandLine;
using MoodBot.Fuzz;

// Exit codes: 0 clean, 1 crash or hang found, 3 an input ran past --abort-ms (process ended by the watchdog).
var root = new RootCommand("MoodBot fuzzing: image entry point and interaction JSON parser (docs/fuzzing.md).");
root.Subcommands.Add(FuzzCommand("image", "IPhotoAnalyzer: probe, decode, detect, crop, classify", () => new ImageTarget()));
root.Subcommands.Add(FuzzCommand("interaction", "interaction payloads via the HTTP body and the gateway event paths", () => new InteractionTarget()));
return await root.Parse(args).InvokeAsync();

static Command FuzzCommand(string name, string description, Func<IFuzzTarget> create)
{
    var count = new Option<int>("--count") { Description = "Generated inputs (after replaying seeds and corpus)", DefaultValueFactory = _ => 100_000 };
    var seed = new Option<int>("--seed") { Description = "Generator seed; a run is a function of (seed, from, count, corpus)", DefaultValueFactory = _ => 1 };
    var from = new Option<int>("--from") { Description = "First input index (a different stretch of the same seed's sequence)", DefaultValueFactory = _ => 0 };
    var corpus = new Option<DirectoryInfo?>("--corpus") { Description = "Corpus folder: replayed first, new outcomes saved into it" };
    var noSave = new Option<bool>("--no-save") { Description = "Do not add new inputs to the corpus" };
    var crashes = new Option<DirectoryInfo?>("--crashes")
    {
        Description = "Where crashing/hanging inputs go (default bench/fuzz/crashes/<target>, outside the corpus)",
    };
    var hangMs = new Option<double>("--hang-ms") { Description = "An input slower than this is a hang", DefaultValueFactory = _ => 2000 };
    var abortMs = new Option<double>("--abort-ms") { Description = "Give up on an input (and exit 3) after this long", DefaultValueFactory = _ => 30_000 };
    var cmd = new Command(name, description) { count, seed, from, corpus, noSave, crashes, hangMs, abortMs };
    cmd.SetAction(parseResult =>
    {
        var settings = new FuzzSettings
        {
            Count = parseResult.GetValue(count),
            Seed = parseResult.GetValue(seed),
            Corpus = parseResult.GetValue(corpus),
            SaveCorpus = !parseResult.GetValue(noSave),
            Crashes = parseResult.GetValue(crashes) ?? new DirectoryInfo(Path.Combine("bench", "fuzz", "crashes", name)),
            HangMs = parseResult.GetValue(hangMs),
            AbortMs = parseResult.GetValue(abortMs),
            Log = Console.Out,
        };
        using var target = create();
        Console.WriteLine($"fuzzing {name}: {settings.Count} inputs, seed {settings.Seed}, corpus {settings.Corpus?.FullName ?? "(none)"}");
        var report = FuzzRunner.Run(target, settings, parseResult.GetValue(from));
        Console.Write(report.Summary());
        foreach (var c in report.Crashes.Take(20))
        {
            Console.WriteLine("  crash: " + c);
        }

        foreach (var h in report.Hangs.Take(20))
        {
            Console.WriteLine("  hang: " + h);
        }

        return report.Failed ? 1 : 0;
    });
    return cmd;
}
