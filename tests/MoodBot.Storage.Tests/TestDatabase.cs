using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoodBot.Storage;
using Npgsql;

namespace MoodBot.Tests;

/// <summary>
/// A throw-away database for one test: SQLite in memory (the connection is held open, because an in-memory database
/// lives only as long as its first connection), or a fresh schema in the PostgreSQL named by <c>MOODBOT_TEST_POSTGRES</c>.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "MOODBOT_TEST_POSTGRES";

    private readonly SqliteConnection? _sqlite;
    private readonly string? _postgresBase;
    private readonly string? _schemaName;

    private TestDatabase(DbContextOptions<MoodBotDbContext> options, TimeProvider time, SqliteConnection? sqlite, string? postgresBase, string? schemaName)
    {
        Options = options;
        _sqlite = sqlite;
        _postgresBase = postgresBase;
        _schemaName = schemaName;
        Time = time;
        Factory = new ContextFactory(options);
        Schema = new StorageSchema(Factory, time, NullLogger<StorageSchema>.Instance);
        Catalog = new EfTrackCatalog(Factory, Schema, StorageOptions);
        History = new EfRecommendationHistory(Factory, Schema, time, StorageOptions);
        Links = new EfSpotifyLinkStore(Factory, Schema, time);
    }

    public static TheoryData<string> Providers => new("sqlite", "postgres");

    public DbContextOptions<MoodBotDbContext> Options { get; }

    public TimeProvider Time { get; }

    public IDbContextFactory<MoodBotDbContext> Factory { get; }

    public StorageSchema Schema { get; }

    public IOptions<StorageOptions> StorageOptions { get; } = Microsoft.Extensions.Options.Options.Create(new StorageOptions { HistoryKeepPerUser = 5 });

    public EfTrackCatalog Catalog { get; }

    public EfRecommendationHistory History { get; }

    public EfSpotifyLinkStore Links { get; }

    public string Provider => _sqlite is null ? "postgres" : "sqlite";

    public static async Task<TestDatabase> CreateAsync(string provider, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        if (provider == "sqlite")
        {
            var connection = new SqliteConnection("Data Source=:memory:");
            await connection.OpenAsync();
            var options = new DbContextOptionsBuilder<MoodBotDbContext>().UseSqlite(connection).Options;
            return new TestDatabase(options, time, connection, null, null);
        }

        var baseConnection = PostgresOrSkip();
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var c = new NpgsqlConnection(baseConnection))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE SCHEMA {schema}", c);
            await cmd.ExecuteNonQueryAsync();
        }

        var cs = new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = schema }.ToString();
        var pg = new DbContextOptionsBuilder<MoodBotDbContext>().UseNpgsql(cs).Options;
        return new TestDatabase(pg, time, null, baseConnection, schema);
    }

    /// <summary>A second, independent set of stores over the same database (a second bot instance).</summary>
    public (EfSpotifyLinkStore Links, StorageSchema Schema) SecondInstance()
    {
        var factory = new ContextFactory(Options);
        var schema = new StorageSchema(factory, Time, NullLogger<StorageSchema>.Instance);
        return (new EfSpotifyLinkStore(factory, schema, Time), schema);
    }

    public async ValueTask DisposeAsync()
    {
        Schema.Dispose();
        if (_sqlite is not null)
        {
            await _sqlite.DisposeAsync();
        }

        if (_postgresBase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(_postgresBase);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schemaName} CASCADE", c);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private static string PostgresOrSkip()
    {
        var cs = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(cs))
        {
            return cs;
        }

        var reason = $"{PostgresVariable} is not set (a connection string to a PostgreSQL database the user owns, e.g. " +
            "Host=127.0.0.1;Port=5432;Username=moodbot;Password=moodbot;Database=moodbot_test); PostgreSQL storage tests need a real server.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI=true and " + reason);
        }

        Assert.Skip(reason);
        return null!;
    }

    private sealed class ContextFactory(DbContextOptions<MoodBotDbContext> options) : IDbContextFactory<MoodBotDbContext>
    {
        public MoodBotDbContext CreateDbContext() => new(options);
    }
}
