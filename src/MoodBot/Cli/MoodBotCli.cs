using System.CommandLine;
using Microsoft.Extensions.Hosting;

namespace MoodBot.Cli;

/// <summary>Exit codes shared by the verbs (documented in README).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int NoFace = 2;
    public const int BadInput = 3;
}

public static class MoodBotCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("MoodBot: photo -> emotion -> music. Without a verb, runs the Discord bot.");
        root.Subcommands.Add(AnalyzeCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(CatalogCommand.Create());
        root.Subcommands.Add(RecommendCommand.Create());
        root.Subcommands.Add(BenchMusicCommand.Create());
        root.Subcommands.Add(DetectorsCommand.Create());
        root.Subcommands.Add(ScoreFacesCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CheckConfigCommand.Create());
        root.Subcommands.Add(HealthcheckCommand.Create());
        root.SetAction(async (_, ct) =>
        {
            await using var app = MoodBotHost.BuildBot();
            await app.RunAsync(ct);
            return ExitCodes.Ok;
        });
        return root;
    }
}
