using System.CommandLine;
using MoodBot.Cli;
using MoodBot.Hosting;

// One executable: with no verb it runs the bot; verbs (analyze, evaluate, ...) share the same composition root.
try
{
    return await MoodBotCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (StartupProblemException e)
{
    // Something the operator fixes outside the bot (a folder's owner, a file's mode): one line, no stack trace.
    await Console.Error.WriteLineAsync("error: " + e.Message);
    return ExitCodes.Failure;
}
catch (OperationCanceledException)
{
    // Stopped (Ctrl+C, SIGTERM) while starting: nothing to report.
    return ExitCodes.Failure;
}
catch (Exception e)
{
    // What System.CommandLine's default handler printed before it was turned off (to let the line above through).
    await Console.Error.WriteLineAsync("Unhandled exception: " + e);
    return ExitCodes.Failure;
}
