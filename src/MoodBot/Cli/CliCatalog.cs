using Microsoft.Extensions.DependencyInjection;
using MoodBot.Music;

namespace MoodBot.Cli;

/// <summary>The CLI's side of seeding: verbs that read or grow the catalog fill an empty one first (the bot does it in the background).</summary>
internal static class CliCatalog
{
    /// <summary>Seeds an empty catalog from the shipped file; says so on stderr when it did (stdout stays machine-readable).</summary>
    public static async Task EnsureSeededAsync(IServiceProvider services, TextWriter stderr, CancellationToken ct)
    {
        var seeder = services.GetRequiredService<CatalogSeeder>();
        await seeder.EnsureAsync(ct);
        var status = seeder.Status;
        if (status.State == CatalogSeedState.Ready && status.Written > 0)
        {
            await stderr.WriteLineAsync($"note: the catalog was empty; loaded the {status.Written} shipped tracks.");
        }
        else if (status.State == CatalogSeedState.Failed)
        {
            await stderr.WriteLineAsync($"warning: could not load the shipped catalog: {status.Detail}.");
        }
    }
}
