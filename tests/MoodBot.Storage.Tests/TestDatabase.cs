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
    private readonly SqliteConnection? _sqlite;
    private readonly string? _postgresBase;
    private readonly string? _schemaName;
    private DirectoryInfo? _sqliteDirectory;

    private TestDatabase(IDbContextFactory<MoodBotDbContext> factory, TimeProvider time, SqliteConnection? sqlite, string? postgresBase, string? schemaName)
    {
        _sqlite = sqlite;
        _postgresBase = postgresBase;
        _schemaName = schemaName;
        Time = time;
        Factory = factory;
        Schema = NewMigrator(factory, time);
        Catalog = new EfTrackCatalog(Factory, Schema, StorageOptions);
        History = new EfRecommendationHistory(Factory, Schema, time, StorageOptions);
        Links = new EfSpotifyLinkStore(Factory, Schema, time);
        Claims = new EfInteractionClaims(Factory, Schema, time);
        Cooldowns = new EfMemberCooldowns(Factory, Schema, time);
    }

    public static TheoryData<string> Providers => new("sqlite", "postgres");

    /// <summary>Where concurrency matters: a SQLite file (several real connections) rather than the in-memory database.</summary>
    public static TheoryData<string> RacingProviders => new("sqlite-file", "postgres");

    public TimeProvider Time { get; }

    public IDbContextFactory<MoodBotDbContext> Factory { get; }

    public StorageMigrator Schema { get; }

    public IOptions<StorageOptions> StorageOptions { get; } = Microsoft.Extensions.Options.Options.Create(new StorageOptions { HistoryKeepPerUser = 5 });

    public EfTrackCatalog Catalog { get; }

    public EfRecommendationHistory History { get; }

    public EfSpotifyLinkStore Links { get; }

    public EfInteractionClaims Claims { get; }

    public EfMemberCooldowns Cooldowns { get; }

    public string Provider => _postgresBase is null ? "sqlite" : "postgres";

    public static async Task<TestDatabase> CreateAsync(string provider, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        if (provider == "sqlite-file")
        {
            var dir = Directory.CreateTempSubdirectory("moodbot-race-");
            var file = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir.FullName, "race.db"), Pooling = true }.ToString();
            return new TestDatabase(SqliteFactory(file), time, null, null, null) { _sqliteDirectory = dir };
        }

        if (provider == "sqlite")
        {
            var connection = new SqliteConnection("Data Source=:memory:");
            await connection.OpenAsync();
            return new TestDatabase(SqliteFactory(connection.ConnectionString, connection), time, connection, null, null);
        }

        var baseConnection = FreshPostgresDatabase.ServerOrSkip();
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var c = new NpgsqlConnection(baseConnection))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE SCHEMA {schema}", c);
            await cmd.ExecuteNonQueryAsync();
        }

        var cs = new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = schema }.ToString();
        return new TestDatabase(PostgresFactory(cs), time, null, baseConnection, schema);
    }

    /// <summary>Contexts for a SQLite database: over <paramref name="open"/> when given (an in-memory database), else pooled connections.</summary>
    public static IDbContextFactory<MoodBotDbContext> SqliteFactory(string connectionString, SqliteConnection? open = null)
    {
        var builder = new DbContextOptionsBuilder<SqliteMoodBotDbContext>();
        var options = (open is null ? builder.UseSqlite(connectionString) : builder.UseSqlite(open)).Options;
        return new ContextFactory(() => new SqliteMoodBotDbContext(options));
    }

    public static IDbContextFactory<MoodBotDbContext> PostgresFactory(string connectionString)
    {
        var options = new DbContextOptionsBuilder<PostgresMoodBotDbContext>().UseNpgsql(connectionString).Options;
        return new ContextFactory(() => new PostgresMoodBotDbContext(options));
    }

    public static StorageMigrator NewMigrator(IDbContextFactory<MoodBotDbContext> factory, TimeProvider? time = null) =>
        new(factory, time ?? TimeProvider.System, NullLogger<StorageMigrator>.Instance);

    /// <summary>A second, independent set of stores over the same database (a second bot instance).</summary>
    public (EfSpotifyLinkStore Links, StorageMigrator Schema, EfInteractionClaims Claims, EfMemberCooldowns Cooldowns) SecondInstance()
    {
        var schema = NewMigrator(Factory, Time);
        return (new EfSpotifyLinkStore(Factory, schema, Time), schema, new EfInteractionClaims(Factory, schema, Time),
            new EfMemberCooldowns(Factory, schema, Time));
    }

    public async ValueTask DisposeAsync()
    {
        Schema.Dispose();
        if (_sqlite is not null)
        {
            await _sqlite.DisposeAsync();
        }

        if (_sqliteDirectory is not null)
        {
            SqliteConnection.ClearAllPools();
            _sqliteDirectory.Delete(recursive: true);
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

    private sealed class ContextFactory(Func<MoodBotDbContext> create) : IDbContextFactory<MoodBotDbContext>
    {
        public MoodBotDbContext CreateDbContext() => create();
    }
}
