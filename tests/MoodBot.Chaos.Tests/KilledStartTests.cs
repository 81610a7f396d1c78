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
        // The models load first, the migration of the fresh database right after: the interruption lands in it.
        await using (var first = BotProcess.Start(env))
        {
            await first.WaitForLineAsync("Face detector loaded", TimeSpan.FromSeconds(60));
            await Task.Delay(150, TestContext.Current.CancellationToken);
            if (signal == "KILL")
            {
                first.KillHard();
            }
            else
            {
                await first.TerminateAsync();
            }

            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(first.Lines, l => l.Contains("Application started", StringComparison.Ordinal));
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
            await using var c = new SqliteConnection($"Data Source={Path.Combine(_dir.FullName, "moodbot.db")};Pooling=false");
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
        await using (var first = BotProcess.Start(env))
        {
            await first.WaitForLineAsync("Face detector loaded", TimeSpan.FromSeconds(60));
            await Task.Delay(150, TestContext.Current.CancellationToken);
            first.KillHard();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        // A verb that touches the database (the recommender reads the catalog) finishes instead of hanging.
        await using var verb = BotProcess.Start(env, "recommend", "--emotion", "happy", "--json");
        Assert.Equal(0, await verb.WaitForExitAsync(NormalStart));
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
