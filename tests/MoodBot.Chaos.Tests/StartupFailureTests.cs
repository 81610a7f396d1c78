using System.Net;
using System.Net.Sockets;

namespace MoodBot.Chaos.Tests;

/// <summary>Every start-up failure: exit code 1 and one plain line that names the key, path or address; no stack trace.</summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-startup-");

    public static TheoryData<string, string, string> Cases => new()
    {
        { "Discord mode", "MoodBot__Discord__Mode=Webhook", "MoodBot:Discord:Mode: 'Webhook' is not valid; expected one of Gateway, Http" },
        { "cooldown", "MoodBot__Discord__CooldownSeconds=abc", "MoodBot:Discord:CooldownSeconds: 'abc' is not valid; expected a whole number" },
        { "provider", "MoodBot__Storage__Provider=Mongo", "MoodBot:Storage:Provider: 'Mongo' is not valid; expected one of Sqlite, Postgres" },
        { "range", "MoodBot__Vision__MaxPixels=0", "MaxPixels" },
        { "secrets missing", "MOODBOT_SECRETS_FILE={dir}/absent.json", "MOODBOT_SECRETS_FILE: no file at {dir}/absent.json" },
        { "secrets malformed", "MOODBOT_SECRETS_FILE={dir}/broken.json", "MOODBOT_SECRETS_FILE: {dir}/broken.json is not valid JSON" },
        { "model missing", "MoodBot__Vision__EmotionModelPath={dir}/absent.onnx", "MoodBot:Vision:EmotionModelPath: no file at {dir}/absent.onnx" },
        { "model not ONNX", "MoodBot__Vision__FaceModelPath={dir}/junk.onnx", "MoodBot:Vision:FaceModelPath: {dir}/junk.onnx is not a loadable ONNX model" },
        { "not a database", "MoodBot__Storage__SqlitePath={dir}/text.db", "MoodBot:Storage:SqlitePath: {dir}/text.db is not a SQLite database" },
        { "read-only database", "MoodBot__Storage__ConnectionString=Data Source={dir}/ro.db;Mode=ReadOnly", "{dir}/ro.db is read-only" },
        { "database unreachable", "MoodBot__Storage__Provider=Postgres|MoodBot__Storage__ConnectionString=Host=127.0.0.1;Port=9;Database=x;Username=u;Password=hunter2;Timeout=2",
            "MoodBot:Storage:ConnectionString: cannot reach PostgreSQL at 127.0.0.1:9/x" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Start_BadSetting_ExitsWithOneLineNamingIt(string name, string settings, string expected)
    {
        _ = name;
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "broken.json"), "{ \"MoodBot\": { \"Discord\": { \"Token\": \"s3cret\" ", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "junk.onnx"), "not a model", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "text.db"), new string('x', 4096), TestContext.Current.CancellationToken);
        if (name == "read-only database")
        {
            // An existing, migrated database opened read-only (file modes do not stop root, which CI runs as).
            await using var ok = BotProcess.Start(BotProcess.OfflineEnvironment(_dir.FullName));
            await ok.WaitForLineAsync("Application started", TimeSpan.FromSeconds(60));
            File.Copy(Path.Combine(_dir.FullName, "moodbot.db"), Path.Combine(_dir.FullName, "ro.db"));
        }

        var env = BotProcess.OfflineEnvironment(_dir.FullName);
        foreach (var pair in settings.Split('|'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            env[pair[..eq]] = pair[(eq + 1)..].Replace("{dir}", _dir.FullName, StringComparison.Ordinal);
        }

        await AssertFailsWithAsync(env, expected.Replace("{dir}", _dir.FullName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_PortInUse_ExitsWithOneLineNamingTheAddress()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var env = BotProcess.OfflineEnvironment(_dir.FullName);
        env["ASPNETCORE_URLS"] = url;
        await AssertFailsWithAsync(env, $"Failed to bind to address {url}: address already in use");
    }

    [Fact]
    public async Task Start_DebugLevel_AddsTheStackTrace()
    {
        var env = BotProcess.OfflineEnvironment(_dir.FullName);
        env["MoodBot__Discord__Mode"] = "Webhook";
        env["Logging__LogLevel__Default"] = "Debug";
        await using var bot = BotProcess.Start(env);
        Assert.Equal(1, await bot.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("moodbot: cannot start: MoodBot:Discord:Mode", bot.Output, StringComparison.Ordinal);
        Assert.Contains("   at ", bot.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    private static async Task AssertFailsWithAsync(Dictionary<string, string?> env, string expected)
    {
        await using var bot = BotProcess.Start(env);
        var code = await bot.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 1, $"exit code {code}:\n{bot.Output}");
        var failure = Assert.Single(bot.Lines, l => l.StartsWith("moodbot: cannot start: ", StringComparison.Ordinal));
        Assert.Contains(expected, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", bot.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", bot.Output.Replace(failure, "", StringComparison.Ordinal), StringComparison.Ordinal);
        // Secrets in the bad file or the connection string never reach the output.
        Assert.DoesNotContain("s3cret", bot.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", bot.Output, StringComparison.Ordinal);
    }
}
