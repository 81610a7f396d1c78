using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace MoodBot.Chaos.Tests;

/// <summary>
/// Regression for the wedged start: a bot killed (-9) or stopped (SIGTERM) while it migrates a fresh database left EF's
/// lock behind, and every later start hung after "Acquiring an exclusive lock". Now the next start is normal.
/// </summary>
public sealed class KilledStartTests : IAsyncDisposable
{
    private static readonly TimeSpan NormalStart = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-killed-");
    private FreshPostgresDatabase? _postgres;

    [Theory]
    [InlineData("sqlite", "KILL")]
    [InlineData("sqlite", "TERM")]
    [InlineData("postgres", "KILL")]
    [InlineData("postgres", "TERM")]
    public async Task Start_InterruptedWhileMigrating_NextStartIsNormalAndDataIntact(string provider, string signal)
    {
        var env = await EnvironmentAsync(provider);
        if (provider == "sqlite")
        {
            // Interrupt until the kill demonstrably landed inside EF's lock window (its row is left in the file); the
            // window is a few hundred milliseconds, so a handful of offsets after EF's "Acquiring" line finds it.
            Assert.True(await InterruptInsideLockWindowAsync(env, signal), $"no {signal} landed inside the migration lock window");
        }
        else
        {
            // PostgreSQL keeps no lock row to look at (its locks die with the session): interrupted as the first
            // migration is applied, with the advisory lock held.
            Assert.True(await InterruptMigrationAsync(env, signal, 0, "Applying migration"), "the first start finished migrating before the signal");
        }

        var clock = Stopwatch.StartNew();
        await using (var second = BotProcess.Start(env))
        {
            await second.WaitForLineAsync("Application started", NormalStart);
            TestContext.Current.TestOutputHelper?.WriteLine($"{provider}/{signal}: next start ready in {clock.ElapsedMilliseconds} ms");
            await second.TerminateAsync();
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // And the one after that, with nothing to migrate, takes no lock at all.
        await using (var third = BotProcess.Start(env))
        {
            Assert.Contains("(up to date)", await third.WaitForLineAsync("at migration", NormalStart), StringComparison.Ordinal);
            await third.WaitForLineAsync("Application started", NormalStart);
        }

        if (provider == "sqlite")
        {
            await using var c = new SqliteConnection($"Data Source={DatabaseFile};Pooling=false");
            await c.OpenAsync(TestContext.Current.CancellationToken);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task CliVerb_AfterKilledStart_DoesNotWait()
    {
        var env = await EnvironmentAsync("sqlite");
        Assert.True(await InterruptInsideLockWindowAsync(env, "TERM"), "no TERM landed inside the migration lock window");

        // A verb that touches the database (the recommender reads the catalog) finishes instead of hanging.
        await using var verb = BotProcess.Start(env, "recommend", "--emotion", "happy", "--json");
        Assert.Equal(0, await verb.WaitForExitAsync(NormalStart));
    }

    private string DatabaseFile => Path.Combine(_dir.FullName, "moodbot.db");

    private void ResetDatabase()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(DatabaseFile + suffix);
        }
    }

    /// <summary>
    /// Interrupts fresh starts at a spread of offsets until one leaves EF's lock row behind. Machines differ a lot in
    /// how long the window lasts (a fast one finishes migrating inside 100 ms), so the offsets start near zero and a
    /// start that got all the way to "Application started" simply counts as a miss.
    /// </summary>
    private async Task<bool> InterruptInsideLockWindowAsync(Dictionary<string, string?> env, string signal)
    {
        foreach (var delay in new[] { 60, 20, 100, 0, 150, 40, 200, 10, 80, 250, 120, 300 })
        {
            ResetDatabase();
            if (await InterruptMigrationAsync(env, signal, delay) && await EfLockRowLeftAsync())
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{signal} {delay} ms after the lock request left the row behind");
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Starts the bot on a fresh database and interrupts it <paramref name="delayMs"/> after <paramref name="after"/>;
    /// false when the start completed before the signal arrived (nothing was interrupted).
    /// </summary>
    private static async Task<bool> InterruptMigrationAsync(Dictionary<string, string?> env, string signal, int delayMs,
        string after = "Acquiring an exclusive lock for migration application")
    {
        await using var bot = BotProcess.Start(env);
        await bot.WaitForLineAsync(after, TimeSpan.FromSeconds(60));
        await Task.Delay(delayMs, TestContext.Current.CancellationToken);
        if (signal == "KILL")
        {
            bot.KillHard();
        }
        else
        {
            await bot.TerminateAsync();
        }

        await bot.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return !bot.Lines.Any(l => l.Contains("Application started", StringComparison.Ordinal));
    }

    private async Task<bool> EfLockRowLeftAsync()
    {
        await using var c = new SqliteConnection($"Data Source={DatabaseFile};Pooling=false");
        await c.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'";
        if (Convert.ToInt64(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return false;
        }

        cmd.CommandText = "SELECT COUNT(*) FROM \"__EFMigrationsLock\"";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private async Task<Dictionary<string, string?>> EnvironmentAsync(string provider)
    {
        var env = BotProcess.OfflineEnvironment(_dir.FullName);
        if (provider == "postgres")
        {
            _postgres = await FreshPostgresDatabase.CreateAsync();
            env["MoodBot__Storage__Provider"] = "Postgres";
            env["MoodBot__Storage__ConnectionString"] = _postgres.ConnectionString;
        }

        return env;
    }
}
