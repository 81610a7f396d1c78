using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace MoodBot.Hosting;

internal static class HostingServiceCollectionExtensions
{
    /// <summary>Health checks for /readyz and the bridge from .NET meters to the Prometheus endpoint.</summary>
    public static IHostApplicationBuilder AddOperationalEndpoints(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<VisionReadyCheck>("models", tags: [BotEndpoints.ReadyTag])
            .AddCheck<StorageReadyCheck>("database", tags: [BotEndpoints.ReadyTag])
            .AddCheck<DiscordReadyCheck>("discord", tags: [BotEndpoints.ReadyTag]);
        // prometheus-net publishes System.Diagnostics.Metrics instruments (ours: meter "MoodBot") as Prometheus series.
        Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = i =>
            i.Meter.Name is "MoodBot" or "System.Net.Http" or "Microsoft.AspNetCore.Hosting" or "Microsoft.AspNetCore.Server.Kestrel");
        return builder;
    }
}
