using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MoodBot.Core;
using OpenTelemetry.Metrics;

namespace MoodBot.Hosting;

internal static class HostingServiceCollectionExtensions
{
    /// <summary>Health checks for /readyz and the bridge from .NET meters to the Prometheus endpoint.</summary>
    public static IHostApplicationBuilder AddOperationalEndpoints(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<VisionReadyCheck>("models", tags: [BotEndpoints.ReadyTag])
            .AddCheck<StorageReadyCheck>("database", tags: [BotEndpoints.ReadyTag])
            .AddCheck<DiscordReadyCheck>("discord", tags: [BotEndpoints.ReadyTag])
            .AddCheck<CatalogReadyCheck>("catalog", tags: [BotEndpoints.ReadyTag]);
        // Our meter plus the framework's own HTTP meters, exported in Prometheus text format at /metrics.
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(MoodBotMetrics.MeterName, "System.Net.Http", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddView("moodbot.stage.duration", new ExplicitBucketHistogramConfiguration
            {
                // Stages run from sub-millisecond (classify one face) to seconds (a slow CDN): log-spaced buckets.
                Boundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            })
            .AddPrometheusExporter());
        return builder;
    }
}
