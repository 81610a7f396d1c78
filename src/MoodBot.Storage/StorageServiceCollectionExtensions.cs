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
    /// <see cref="IRecommendationHistory"/>, <see cref="ISpotifyLinkStore"/>. The schema is created at host start, and
    /// lazily by the first store call for CLI verbs that never start the host.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.Section))
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsRules>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddDbContextFactory<MoodBotDbContext>((sp, db) => Configure(db, sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        builder.Services.TryAddSingleton<StorageSchema>();
        builder.Services.TryAddSingleton<EfTrackCatalog>();
        builder.Services.TryAddSingleton<ITrackCatalog>(sp => sp.GetRequiredService<EfTrackCatalog>());
        builder.Services.TryAddSingleton<IRecommendationHistory, EfRecommendationHistory>();
        builder.Services.TryAddSingleton<ISpotifyLinkStore, EfSpotifyLinkStore>();
        builder.Services.AddHostedService<StorageInitializer>();
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

/// <summary>Creates or checks the schema before the bot takes traffic, so a bad connection string fails the start.</summary>
internal sealed class StorageInitializer(StorageSchema schema) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => schema.EnsureAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
