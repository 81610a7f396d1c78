using Microsoft.Extensions.Hosting;

namespace MoodBot.Music;

/// <summary>Builds the track index in the background when the bot starts, so the first member does not wait for it.</summary>
internal sealed class MusicWarmUp(CatalogRecommender recommender) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Yield first: ExecuteAsync runs synchronously up to its first await, and host start must not wait for the index.
        await Task.Yield();
        await recommender.WarmUpAsync(stoppingToken);
    }
}
