using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Discord.Gateway;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Rest;
using Polly;

namespace MoodBot.Discord;

public static class DiscordServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Discord bot bound to <c>MoodBot:Discord</c>: REST client, gateway worker, interaction handlers.
    /// Harmless without a token: the worker logs that Discord is disabled and returns. In HTTP mode the host also
    /// calls <see cref="DiscordEndpointRouteBuilderExtensions.MapDiscordInteractions"/>.
    /// </summary>
    public static IHostApplicationBuilder AddDiscord(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DiscordOptions>()
            .Bind(builder.Configuration.GetSection(DiscordOptions.Section))
            // Defaults here, not in the property initialiser: binding appends to a pre-filled list.
            .PostConfigure(o =>
            {
                if (o.CdnHosts.Count == 0)
                {
                    foreach (var h in DiscordOptions.DefaultCdnHosts)
                    {
                        o.CdnHosts.Add(h);
                    }
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, DiscordOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, DiscordOptionsRulesValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<MoodBotMetrics>();

        services.TryAddSingleton<DiscordRateLimiter>();
        services.TryAddTransient<DiscordRateLimitHandler>();
        services.AddHttpClient<DiscordRestClient>()
            .RemoveAllLoggers() // URLs carry interaction tokens; the default handler logs would print them.
            .AddHttpMessageHandler<DiscordRateLimitHandler>()
            .AddStandardResilienceHandler(o =>
            {
                // 429s are ours (DiscordRateLimitHandler, outside this pipeline); retry only 5xx and transport
                // failures, and never for POST: a retried callback or followup could post twice. Editing @original
                // (PATCH) is idempotent — the same edit twice shows the same message — so a 5xx burst there is retried.
                o.Retry.ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
                    { Result: { } r } => (int)r.StatusCode >= 500,
                    _ => false,
                });
                o.Retry.DisableFor(HttpMethod.Post);
                o.Retry.MaxRetryAttempts = 3;
                o.Retry.Delay = TimeSpan.FromMilliseconds(500);
                o.Retry.BackoffType = DelayBackoffType.Exponential;
            });
        services.AddHttpClient<AttachmentDownloader>()
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Redirects are followed by hand, and only to allowed origins.
                AllowAutoRedirect = false,
                UseCookies = false,
            })
            .AddStandardResilienceHandler(o => o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(45));

        services.TryAddSingleton<DiscordStatus>();
        services.TryAddSingleton<IdentifyGate>();
        services.TryAddSingleton<GatewayClient>();
        services.TryAddSingleton<InteractionDispatcher>();
        services.TryAddSingleton<IGatewayInteractionSink, GatewayInteractionSink>();
        // In-process fallbacks; AddStorage registers the database versions that every instance shares.
        services.TryAddSingleton<IInteractionClaims, InProcessInteractionClaims>();
        services.TryAddSingleton<IMemberCooldowns, InProcessMemberCooldowns>();
        services.TryAddSingleton<IMemberDataEraser, InProcessMemberDataEraser>();
        services.TryAddSingleton<IGuildSettingsStore, InProcessGuildSettings>();
        services.TryAddSingleton<GuildPolicy>();
        services.TryAddSingleton<CooldownTracker>();
        services.TryAddSingleton<IInteractionResultHandler, InteractionResultHandler>();
        services.TryAddScoped<MoodMusicService>();
        services.TryAddScoped<SpotifySaver>();
        services.TryAddScoped<SpotifyPlayer>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInteractionHandler, MoodMusicCommand>());
        services.TryAddScoped<MoodMusicCommand>(); // the message command runs the same pipeline
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInteractionHandler, PhotoMessageCommand>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInteractionHandler, ReplyButtonsHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInteractionHandler, LinkCommand>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInteractionHandler, UnlinkCommand>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInteractionHandler, HelpCommand>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInteractionHandler, ForgetMeCommand>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInteractionHandler, SettingsCommand>());
        services.AddHostedService<DiscordBotService>();
        // HTTP mode's deferred work; registered after the bot service so it stops (and drains) first.
        services.TryAddSingleton<RejectedRequestLog>();
        services.TryAddSingleton<HttpInteractionQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<HttpInteractionQueue>());
        return builder;
    }
}
