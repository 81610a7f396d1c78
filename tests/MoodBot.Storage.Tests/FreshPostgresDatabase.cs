using Npgsql;

namespace MoodBot.Tests;

/// <summary>
/// A brand-new PostgreSQL database on the server named by <c>MOODBOT_TEST_POSTGRES</c>, dropped afterwards. Without that
/// variable the test is skipped, except under <c>CI=true</c>, where a missing server is a failure: CI installs one.
/// Shared by the storage and host tests (linked, not copied).
/// </summary>
internal sealed class FreshPostgresDatabase : IAsyncDisposable
{
    public const string Variable = "MOODBOT_TEST_POSTGRES";

    private readonly string _server;
    private readonly string _name;

    private FreshPostgresDatabase(string server, string name, string connectionString)
    {
        _server = server;
        _name = name;
        ConnectionString = connectionString;
    }

    /// <summary>Connection string of the new database (no pooling surprises: pools are cleared on dispose).</summary>
    public string ConnectionString { get; }

    public static async Task<FreshPostgresDatabase> CreateAsync()
    {
        var server = ServerOrSkip();
        var name = "moodbot_t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var c = new NpgsqlConnection(server))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }

        return new FreshPostgresDatabase(server, name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString());
    }

    /// <summary>The server's connection string, or a skip (a failure under CI=true) when none is configured.</summary>
    public static string ServerOrSkip()
    {
        var cs = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(cs))
        {
            return cs;
        }

        var reason = $"{Variable} is not set (a connection string to a PostgreSQL server where the user may create databases, e.g. " +
            "Host=127.0.0.1;Port=5432;Username=moodbot;Password=moodbot;Database=postgres); PostgreSQL tests need a real server " +
            "(scripts/postgres.sh: source it, then start_test_postgres).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI=true and " + reason);
        }

        Assert.Skip(reason);
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var c = new NpgsqlConnection(_server);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }
}
