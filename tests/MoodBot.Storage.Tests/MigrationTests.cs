using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using MoodBot.Storage;

namespace MoodBot.Tests;

/// <summary>A database that outlives one connection, so several migrators (instances) can race on it.</summary>
internal sealed class SharedDatabase : IAsyncDisposable
{
    private readonly DirectoryInfo? _dir;
    private readonly FreshPostgresDatabase? _postgres;

    private SharedDatabase(string provider, string connectionString, DirectoryInfo? dir, FreshPostgresDatabase? postgres)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _dir = dir;
        _postgres = postgres;
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    public static async Task<SharedDatabase> CreateAsync(string provider)
    {
        if (provider == "sqlite")
        {
            var dir = Directory.CreateTempSubdirectory("moodbot-migrate-");
            var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir.FullName, "bot.db"), Pooling = true }.ToString();
            return new SharedDatabase(provider, cs, dir, null);
        }

        var pg = await FreshPostgresDatabase.CreateAsync();
        return new SharedDatabase(provider, pg.ConnectionString, null, pg);
    }

    /// <summary>What one bot instance would build: its own context factory over the shared database.</summary>
    public IDbContextFactory<MoodBotDbContext> NewFactory() =>
        Provider == "sqlite" ? TestDatabase.SqliteFactory(ConnectionString) : TestDatabase.PostgresFactory(ConnectionString);

    public async Task<long> ScalarAsync(string sql, CancellationToken ct)
    {
        await using var db = await NewFactory().CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    public async Task<bool> TableExistsAsync(string table, CancellationToken ct) => await ScalarAsync(Provider == "sqlite"
        ? $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        : $"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{table}'", ct) > 0;

    public async ValueTask DisposeAsync()
    {
        if (_dir is not null)
        {
            SqliteConnection.ClearAllPools();
            _dir.Delete(recursive: true);
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

public sealed class MigrationTests
{
    private const int Instances = 6;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EnsureAsync_ConcurrentInstancesOnFreshDatabase_AllSucceedEachMigrationAppliedOnce(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var shared = await SharedDatabase.CreateAsync(provider);
        var migrators = Enumerable.Range(0, Instances).Select(_ => TestDatabase.NewMigrator(shared.NewFactory())).ToList();

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(migrators.Select(m => Task.Run(() => m.EnsureAsync(ct), ct)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{provider}: {Instances} concurrent migrators done in {clock.ElapsedMilliseconds} ms");

        await AssertFullyMigratedAsync(shared, ct);
        migrators.ForEach(m => m.Dispose());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EnsureAsync_FirstReleaseDatabase_BaselinedThenUpgradedKeepingData(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var shared = await SharedDatabase.CreateAsync(provider);
        await MakeFirstReleaseDatabaseAsync(shared, ct);
        Assert.False(await shared.TableExistsAsync(HistoryRepository.DefaultTableName, ct));

        // Several instances of the new release start on it at once: one baselines, all end up migrated.
        var migrators = Enumerable.Range(0, 3).Select(_ => TestDatabase.NewMigrator(shared.NewFactory())).ToList();
        await Task.WhenAll(migrators.Select(m => Task.Run(() => m.EnsureAsync(ct), ct)));

        await AssertFullyMigratedAsync(shared, ct);
        Assert.False(await shared.TableExistsAsync(StorageMigrator.LegacySchemaTable, ct));
        await using var db = await shared.NewFactory().CreateDbContextAsync(ct);
        var kept = Assert.Single(await db.LinkedAccounts.ToListAsync(ct));
        Assert.Equal(("42", "cipher"), (kept.DiscordUserId, kept.ProtectedRefreshToken));
        migrators.ForEach(m => m.Dispose());
    }

    [Fact]
    public async Task EnsureAsync_EfLockRowLeftByKilledProcessNothingPending_StartsWithoutWaiting()
    {
        // Regression: every start took EF's lock row, so one left by kill -9 or SIGTERM wedged all later starts.
        var ct = TestContext.Current.CancellationToken;
        await using var shared = await SharedDatabase.CreateAsync("sqlite");
        using (var first = TestDatabase.NewMigrator(shared.NewFactory()))
        {
            await first.EnsureAsync(ct);
        }

        await LeaveEfLockRowAsync(shared, ct);
        using var next = TestDatabase.NewMigrator(shared.NewFactory());
        var clock = Stopwatch.StartNew();
        await next.EnsureAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"start took {clock.Elapsed}");
    }

    [Fact]
    public async Task EnsureAsync_EfLockRowLeftByKilledMigration_ClearedThenMigrated()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var shared = await SharedDatabase.CreateAsync("sqlite");
        // The state a migrator killed right after taking EF's lock leaves: the lock row, nothing else.
        await LeaveEfLockRowAsync(shared, ct);
        using var next = TestDatabase.NewMigrator(shared.NewFactory());
        await next.EnsureAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct);

        await AssertFullyMigratedAsync(shared, ct);
        Assert.Equal(0, await shared.ScalarAsync($"SELECT COUNT(*) FROM \"{StorageMigrator.EfLockTable}\"", ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EnsureAsync_AnotherLiveMigratorHoldsTheLock_GivesUpAfterTimeoutNamingTheKey(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var shared = await SharedDatabase.CreateAsync(provider);
        await using var holder = await HoldMigrationLockAsync(shared, ct);
        var options = Microsoft.Extensions.Options.Options.Create(new StorageOptions { MigrationLockTimeout = TimeSpan.FromSeconds(1) });
        using var waiting = new StorageMigrator(shared.NewFactory(), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<StorageMigrator>.Instance, options);

        var e = await Assert.ThrowsAsync<MoodBot.Core.StartupFailureException>(() => waiting.EnsureAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct));
        Assert.Contains("MoodBot:Storage:MigrationLockTimeout", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static async Task LeaveEfLockRowAsync(SharedDatabase shared, CancellationToken ct)
    {
        await using var db = await shared.NewFactory().CreateDbContextAsync(ct);
        await db.Database.ExecuteSqlRawAsync(
            $"CREATE TABLE IF NOT EXISTS \"{StorageMigrator.EfLockTable}\" (\"Id\" INTEGER NOT NULL PRIMARY KEY, \"Timestamp\" TEXT NOT NULL)", ct);
        await db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO \"{StorageMigrator.EfLockTable}\" (\"Id\", \"Timestamp\") VALUES (1, '2026-01-01 00:00:00+00:00')", ct);
    }

    /// <summary>What a live instance in the middle of a migration holds: the file lock (SQLite) or the advisory lock.</summary>
    private static async Task<IAsyncDisposable> HoldMigrationLockAsync(SharedDatabase shared, CancellationToken ct)
    {
        if (shared.Provider == "sqlite")
        {
            var file = new SqliteConnectionStringBuilder(shared.ConnectionString).DataSource + ".migrate.lock";
            return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }

        var db = await shared.NewFactory().CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({StorageMigrator.MigrationLockKey})", ct);
        return db;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void Model_EachProvider_HasNoChangesMissingAMigration(string provider)
    {
        // No server needed: the comparison is between the model and the provider's last migration snapshot.
        using MoodBotDbContext db = provider == "sqlite"
            ? new SqliteMoodBotDbContext(new DbContextOptionsBuilder<SqliteMoodBotDbContext>().UseSqlite("Data Source=:memory:").Options)
            : new PostgresMoodBotDbContext(new DbContextOptionsBuilder<PostgresMoodBotDbContext>().UseNpgsql("Host=127.0.0.1;Database=unused").Options);

        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} model has changes without a migration: run `dotnet ef migrations add <Name>` for both providers (docs/storage.md).");
        Assert.Contains(db.Database.GetMigrations(), m => m.EndsWith("_InitialCreate", StringComparison.Ordinal));
    }

    /// <summary>
    /// What MoodBot's first release left behind: the InitialCreate tables (its schema came from the same model), a
    /// <c>moodbot_schema</c> row, member data, and no migrations history.
    /// </summary>
    private static async Task MakeFirstReleaseDatabaseAsync(SharedDatabase shared, CancellationToken ct)
    {
        await using var db = await shared.NewFactory().CreateDbContextAsync(ct);
        var initial = db.Database.GetMigrations().First();
        await db.GetService<IMigrator>().MigrateAsync(initial, ct);
        await db.Database.ExecuteSqlRawAsync($"DROP TABLE \"{HistoryRepository.DefaultTableName}\"", ct);
        if (shared.Provider == "sqlite")
        {
            // EF's SQLite migrations lock table is new in EF 9; the first release never had it.
            await db.Database.ExecuteSqlRawAsync("DROP TABLE IF EXISTS \"__EFMigrationsLock\"", ct);
        }

        await db.Database.ExecuteSqlRawAsync("INSERT INTO moodbot_schema (version, applied_at_ms) VALUES (1, 1764000000000)", ct);
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO linked_accounts (discord_user_id, protected_refresh_token, spotify_user_id, linked_at_ms) VALUES ('42', 'cipher', NULL, 1)", ct);
    }

    private static async Task AssertFullyMigratedAsync(SharedDatabase shared, CancellationToken ct)
    {
        await using var db = await shared.NewFactory().CreateDbContextAsync(ct);
        var expected = db.Database.GetMigrations().ToList();
        var applied = await AppliedRowsAsync(db, ct);
        Assert.Equal(expected, applied.Order(StringComparer.Ordinal));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(ct));
        Assert.Equal(0, await db.InteractionClaims.CountAsync(ct));
        Assert.Equal(0, await db.MemberCooldowns.CountAsync(ct));
    }

    /// <summary>Every history row, duplicates included (GetAppliedMigrations would hide a double insert).</summary>
    private static async Task<List<string>> AppliedRowsAsync(MoodBotDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        await using DbCommand cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = $"SELECT \"MigrationId\" FROM \"{HistoryRepository.DefaultTableName}\"";
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
