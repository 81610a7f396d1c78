using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using Polly;

namespace MoodBot.Spotify;

public static class SpotifyServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Spotify clients, genre search, grandfathered recommendations/audio features and account linking,
    /// bound to <c>MoodBot:Spotify</c>. Needs an <see cref="ISpotifyLinkStore"/> (MoodBot.Storage) for linking.
    /// </summary>
    public static IHostApplicationBuilder AddSpotify(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SpotifyOptions>()
            .Bind(builder.Configuration.GetSection(SpotifyOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpotifyOptions>, SpotifyOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpotifyOptions>, SpotifyOptionsRulesValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // ASP.NET Core's "Request starting GET …?code=…&state=…" line would put the one-time OAuth code in the logs;
        // Kestrel's request lines are dropped below Warning (the host logs its own per-interaction lines).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        services.AddHttpClient<SpotifyAccountsClient>((sp, http) => http.BaseAddress = WithSlash(Options(sp).AccountsBaseUrl))
            .ConfigurePrimaryHttpMessageHandler(CreateHandler)
            // IHttpClientFactory's own request logging redacts header values in the message text but hands the raw
            // Authorization header to structured loggers at Trace (caught by Logs_…_NeverContainSecrets); our Log class
            // and the resilience telemetry say what matters instead.
            .RemoveAllLoggers()
            // The typed clients live inside singletons; connection recycling (above) replaces handler rotation.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler()
            .Configure((o, sp) => Configure(o, ResilienceSettings(sp), retries: false));
        services.AddHttpClient<SpotifyApiClient>((sp, http) => http.BaseAddress = WithSlash(Options(sp).ApiBaseUrl))
            .ConfigurePrimaryHttpMessageHandler(CreateHandler)
            .RemoveAllLoggers()
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler()
            .Configure((o, sp) => Configure(o, ResilienceSettings(sp), retries: true));

        services.TryAddSingleton<TokenProtector>();
        services.TryAddSingleton<SpotifyAppTokens>();
        services.TryAddSingleton<SpotifyUserTokens>();
        services.TryAddSingleton<SpotifyEndpointAvailability>();
        services.TryAddSingleton<PlaylistLedger>();
        services.TryAddSingleton<SpotifyCatalog>();
        // SpotifyLinking's constructor is internal (its collaborators are), so DI gets a factory.
        services.TryAddSingleton(sp => new SpotifyLinking(
            sp.GetRequiredService<ISpotifyLinkStore>(),
            sp.GetRequiredService<SpotifyAccountsClient>(),
            sp.GetRequiredService<SpotifyApiClient>(),
            sp.GetRequiredService<SpotifyUserTokens>(),
            sp.GetRequiredService<TokenProtector>(),
            sp.GetRequiredService<PlaylistLedger>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<SpotifyOptions>>(),
            sp.GetRequiredService<ILogger<SpotifyLinking>>()));
        services.TryAddSingleton<IGenreTrackSearch>(sp => sp.GetRequiredService<SpotifyCatalog>());
        services.TryAddSingleton<ITrackFeatureSource>(sp => sp.GetRequiredService<SpotifyCatalog>());
        services.TryAddSingleton<IMoodRecommendationSource>(sp => sp.GetRequiredService<SpotifyCatalog>());
        services.TryAddSingleton<ISpotifyLinking>(sp => sp.GetRequiredService<SpotifyLinking>());
        services.AddHostedService<SpotifyStartupReport>();
        return builder;
    }

    private static SpotifyOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<SpotifyOptions>>().Value;

    // The resilience options are validated at start too; reporting invalid Spotify settings once (from
    // SpotifyOptions' own validation) is clearer than three copies of the same message.
    private static SpotifyOptions ResilienceSettings(IServiceProvider sp)
    {
        try
        {
            return Options(sp);
        }
        catch (OptionsValidationException)
        {
            return new SpotifyOptions();
        }
    }

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    // Pooled connections are recycled every few minutes so DNS changes reach long-lived (singleton) clients.
    private static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
        AllowAutoRedirect = false,
    };

    private static void Configure(HttpStandardResilienceOptions o, SpotifyOptions s, bool retries)
    {
        o.AttemptTimeout.Timeout = s.AttemptTimeout;
        o.TotalRequestTimeout.Timeout = s.TotalTimeout;
        o.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, 2 * s.AttemptTimeout.Ticks));
        // MoodBot's traffic is light: the default 100-call minimum would never open the circuit.
        o.CircuitBreaker.MinimumThroughput = 10;
        o.CircuitBreaker.FailureRatio = 0.5;
        o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
        o.Retry.MaxRetryAttempts = Math.Max(1, s.MaxRetries);
        o.Retry.BackoffType = DelayBackoffType.Exponential;
        o.Retry.UseJitter = true;
        o.Retry.Delay = s.RetryBaseDelay;
        o.Retry.ShouldRetryAfterHeader = true;
        var maxRetryAfter = s.MaxRetryAfter;
        var enabled = retries && s.MaxRetries > 0;
        o.Retry.ShouldHandle = args => ValueTask.FromResult(enabled && ShouldRetry(args.Outcome, args.Context, maxRetryAfter));
    }

    /// <summary>
    /// 429 means Spotify did not process the request, so any method may wait out a short Retry-After; a long one is
    /// surfaced as "rate limited" instead. 5xx and timeouts are retried only for GET: a POST that may have landed
    /// (a playlist created, items added) must not be repeated blindly.
    /// </summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, TimeSpan maxRetryAfter)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } limited)
        {
            return SpotifyHttp.RetryAfter(limited) is not { } wait || wait <= maxRetryAfter;
        }

        var request = outcome.Result?.RequestMessage ?? context.GetRequestMessage();
        return request?.Method == HttpMethod.Get && HttpClientResiliencePredicates.IsTransient(outcome);
    }
}

/// <summary>Says once at start whether Spotify is on, so an operator reading the log knows why nothing is linked.</summary>
internal sealed class SpotifyStartupReport(IOptions<SpotifyOptions> options, ILogger<SpotifyStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            Log.NotConfigured(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
