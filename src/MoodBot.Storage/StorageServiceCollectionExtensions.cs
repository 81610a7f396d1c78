using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database (bound to <c>MoodBot:Storage</c>) and the stores built on it: <see cref="ITrackCatalog"/>,
    /// <see cref="IRecommendationHistory"/>, <see cref="ISpotifyLinkStore"/>, and the shared scale-out state
    /// (<see cref="IInteractionClaims"/>, <see cref="IMemberCooldowns"/>). Migrations are applied at host start, and
    /// lazily by the first store call for CLI verbs that never start the host.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsRules>());
        services.TryAddSingleton(TimeProvider.System);

        // One context type per provider, each with its own migrations; only the configured one is ever resolved.
        services.AddDbContextFactory<SqliteMoodBotDbContext>((sp, db) => Configure(db, sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddDbContextFactory<PostgresMoodBotDbContext>((sp, db) => Configure(db, sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton<IDbContextFactory<MoodBotDbContext>>(sp =>
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Postgres
                ? new ProviderContextFactory<PostgresMoodBotDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresMoodBotDbContext>>())
                : new ProviderContextFactory<SqliteMoodBotDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteMoodBotDbContext>>()));

        services.TryAddSingleton<StorageMigrator>();
        services.TryAddSingleton<StorageProbe>();
        services.TryAddSingleton<EfTrackCatalog>();
        services.TryAddSingleton<ITrackCatalog>(sp => sp.GetRequiredService<EfTrackCatalog>());
        services.TryAddSingleton<ICatalogSeeding>(sp => sp.GetRequiredService<EfTrackCatalog>());
        services.TryAddSingleton<IRecommendationHistory, EfRecommendationHistory>();
        services.TryAddSingleton<ISpotifyLinkStore, EfSpotifyLinkStore>();
        // Added, not TryAdded: features such as Discord register an in-process fallback for these ports, and the shared
        // database version must win whichever Add<Feature> call came first (the last registration is the one resolved).
        services.AddSingleton<IInteractionClaims, EfInteractionClaims>();
        services.AddSingleton<IMemberCooldowns, EfMemberCooldowns>();
        services.AddSingleton<IMemberDataEraser, EfMemberDataEraser>();
        services.AddSingleton<IGuildSettingsStore, EfGuildSettingsStore>();
        services.AddHostedService<StorageInitializer>();
        services.AddHostedService<StorageJanitor>();
        return builder;
    }

    /// <summary>Applies the configured provider; a relative SQLite path is resolved against the app's base directory.</summary>
    public static void Configure(DbContextOptionsBuilder db, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider == StorageProvider.Postgres)
        {
            db.UseNpgsql(options.ConnectionString);
            return;
        }

        db.UseSqlite(SqliteConnectionString(options));
    }

    public static string SqliteConnectionString(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return options.ConnectionString;
        }

        var path = Path.IsPathRooted(options.SqlitePath) ? options.SqlitePath : Path.Combine(AppContext.BaseDirectory, options.SqlitePath);
        var dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        return new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
    }
}

/// <summary>Hands out the configured provider's context as the provider-neutral base type the stores use.</summary>
internal sealed class ProviderContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<MoodBotDbContext>
    where TContext : MoodBotDbContext
{
    public MoodBotDbContext CreateDbContext() => inner.CreateDbContext();
}

/// <summary>
/// Applies migrations and proves a write before the bot takes traffic, so a bad connection string, a read-only file or a
/// file that is no database fails the start in one line (<see cref="StartupFailureException"/>).
/// </summary>
internal sealed class StorageInitializer(StorageProbe probe) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => probe.EnsureReadyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
