using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MoodBot.Core;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>The real bot (AddDiscord + MapDiscordInteractions on Kestrel) configured to talk to a <see cref="FakeDiscord"/>.</summary>
internal sealed class BotHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BotHost(WebApplication app, FakePhotoAnalyzer analyzer, FakeRecommender recommender, FakeHistory history, FakeSpotifyLinking spotify)
    {
        _app = app;
        Analyzer = analyzer;
        Recommender = recommender;
        History = history;
        Spotify = spotify;
    }

    public FakePhotoAnalyzer Analyzer { get; }

    public FakeRecommender Recommender { get; }

    public FakeHistory History { get; }

    public FakeSpotifyLinking Spotify { get; }

    public IServiceProvider Services => _app.Services;

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public Uri Url => new(_app.Urls.Single());

    public DiscordStatus Status => _app.Services.GetRequiredService<DiscordStatus>();

    public static Task<BotHost> StartAsync(FakeDiscord fake, Action<Dictionary<string, string?>>? configure = null, TimeProvider? time = null,
        Action<IServiceCollection>? services = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["MoodBot:Discord:Token"] = FakeDiscord.Token,
            ["MoodBot:Discord:ApplicationId"] = FakeDiscord.ApplicationId,
            ["MoodBot:Discord:ApiBaseUrl"] = fake.ApiBase.ToString(),
            ["MoodBot:Discord:CdnHosts:0"] = fake.Origin,
            ["MoodBot:Discord:CooldownSeconds"] = "0",
        };
        configure?.Invoke(config);
        return StartAsync(config, time, services);
    }

    public static async Task<BotHost> StartAsync(Dictionary<string, string?> config, TimeProvider? time = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        if (time is FastTime fast)
        {
            // The HTTP resilience pipelines run on the same clock. Sped up, their 10 s attempt / 30 s total timeouts
            // would be 1 s / 3 s of real time: a busy CI box misses that, the discovery call times out and the worker
            // gives up. The sped-up clock is for the gateway's waits, so give HTTP its real-time budget back.
            builder.Services.PostConfigureAll<HttpStandardResilienceOptions>(o =>
            {
                o.AttemptTimeout.Timeout *= fast.Factor;
                o.TotalRequestTimeout.Timeout *= fast.Factor;
                o.CircuitBreaker.SamplingDuration *= fast.Factor;
            });
        }

        FakePhotoAnalyzer analyzer = new();
        FakeRecommender recommender = new();
        FakeHistory history = new();
        FakeSpotifyLinking spotify = new();
        builder.Services.AddSingleton<IPhotoAnalyzer>(analyzer);
        builder.Services.AddSingleton<IMoodTargetMapper, FakeMoodTargetMapper>();
        builder.Services.AddSingleton<IRecommender>(recommender);
        builder.Services.AddSingleton<IRecommendationHistory>(history);
        builder.Services.AddSingleton<ISpotifyLinking>(spotify);
        builder.AddDiscord();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDiscordInteractions();
        await app.StartAsync();
        return new BotHost(app, analyzer, recommender, history, spotify);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
