using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MoodBot.Music;

/// <summary>
/// At bot start, in the background: seeds an empty catalog from the shipped file, builds the track index, and logs the
/// music sources in the order they are tried. Members are answered meanwhile (from what is there, or with a plain
/// "still loading" note), and /readyz reports the seed's progress.
/// </summary>
internal sealed class MusicWarmUp(CatalogSeeder seeder, CatalogRecommender recommender, ILogger<MusicWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Yield first: ExecuteAsync runs synchronously up to its first await, and host start must not wait for the index.
        await Task.Yield();
        await seeder.EnsureAsync(stoppingToken, background: true);
        await recommender.WarmUpAsync(stoppingToken);
        Log.SourceOrder(logger, await recommender.DescribeSourcesAsync(stoppingToken));
    }
}
