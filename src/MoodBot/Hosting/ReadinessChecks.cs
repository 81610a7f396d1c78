using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MoodBot.Discord;
using MoodBot.Music;
using MoodBot.Storage;
using MoodBot.Vision;

namespace MoodBot.Hosting;

/// <summary>Models loaded: resolving the analyzer loads the cascades and the ONNX session (it throws if a file is missing).</summary>
internal sealed class VisionReadyCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var classifier = services.GetRequiredService<EmotionClassifier>();
            services.GetRequiredService<FaceDetector>();
            return Task.FromResult(HealthCheckResult.Healthy($"models loaded (face side {classifier.InputSide})"));
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(e.Message));
        }
    }
}

/// <summary>The database answers a trivial query.</summary>
internal sealed class StorageReadyCheck(IDbContextFactory<MoodBotDbContext> factory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("database reachable")
                : HealthCheckResult.Unhealthy("database unreachable");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exception type names the failure without echoing a connection string.
            return HealthCheckResult.Unhealthy($"database unreachable ({e.GetType().Name})");
        }
    }
}

/// <summary>Gateway mode: every shard has a live session; HTTP mode: enabled and configured.</summary>
internal sealed class DiscordReadyCheck(DiscordStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!status.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Discord is not configured (MoodBot:Discord:Token)"));
        }

        if (status.FatalError is { } fatal)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(status.TokenRejected
                ? $"{fatal}; set a valid MoodBot:Discord:Token (Developer Portal > your app > Bot > Reset Token)"
                : fatal));
        }

        return Task.FromResult(status.IsReady
            ? HealthCheckResult.Healthy($"{status.Mode} mode ready")
            : HealthCheckResult.Unhealthy($"{status.Mode} mode: shards {string.Join(", ", status.Shards.Select(s => $"{s.Key}={s.Value}"))}"));
    }
}

/// <summary>
/// The music catalog: Healthy once the shipped catalog is loaded (or was not needed); Degraded while it is being loaded
/// or when loading failed. Degraded keeps /readyz at 200, because the bot answers meanwhile (from what the catalog
/// already has, or with a "still loading" note): a load balancer must not take it out of rotation for that.
/// </summary>
internal sealed class CatalogReadyCheck(CatalogSeeder seeder) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var s = seeder.Status;
        return Task.FromResult(s.State switch
        {
            CatalogSeedState.Seeding => HealthCheckResult.Degraded($"loading the shipped catalog: {s.Written} of {s.Total} tracks written"),
            CatalogSeedState.Pending => HealthCheckResult.Degraded("shipped catalog not loaded yet"),
            CatalogSeedState.Failed => HealthCheckResult.Degraded($"shipped catalog not loaded: {s.Detail}"),
            CatalogSeedState.Off => HealthCheckResult.Healthy($"catalog ready (seeding {s.Detail})"),
            _ => HealthCheckResult.Healthy($"catalog ready: {s.Detail}"),
        });
    }
}
