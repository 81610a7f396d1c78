using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using MoodBot.Hosting;

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
        root.Subcommands.Add(BenchClassifierCommand.Create());
        root.Subcommands.Add(CheckConfigCommand.Create());
        root.Subcommands.Add(HealthcheckCommand.Create());
        root.SetAction(async (_, ct) =>
        {
            WebApplication? app = null;
            try
            {
                // Everything that can fail before the bot takes traffic (configuration, secrets, models, database, the
                // listener) is reported by StartupReporter as one line with exit code 1.
                var code = await StartupReporter.RunAsync(async () =>
                {
                    app = MoodBotHost.BuildBot();
                    await app.StartAsync(ct);
                }, Console.Error);
                if (code != ExitCodes.Ok || app is null)
                {
                    return code;
                }

                await app.WaitForShutdownAsync(ct);
                return ExitCodes.Ok;
            }
            finally
            {
                if (app is not null)
                {
                    await app.DisposeAsync();
                }
            }
        });
        return root;
    }
}
