using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MoodBot.Chaos.Tests;

/// <summary><c>moodbot check-config</c> as an operator runs it: the problems start-up would hit, all listed, never a crash.</summary>
public sealed class CheckConfigTests : IAsyncLifetime
{
    private const string GoodToken = "good-token";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-check-");
    private WebApplication? _discord;

    private Uri ApiBase => new(_discord!.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/api/v10");

    public async ValueTask InitializeAsync()
    {
        // Just Discord's GET /users/@me: 200 for the good token, 401 for any other, as Discord answers.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _discord = builder.Build();
        _discord.MapGet("/api/v10/users/@me", (HttpRequest r) => r.Headers.Authorization == $"Bot {GoodToken}"
            ? Results.Json(new { id = "1", username = "moodbot" })
            : Results.Json(new { message = "401: Unauthorized", code = 0 }, statusCode: 401));
        await _discord.StartAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task CheckConfig_EverythingWrong_ListsEveryProblemExit1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "junk.onnx"), "junk", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "secrets.json"), "{ not json", TestContext.Current.CancellationToken);
        var env = BotProcess.OfflineEnvironment(_dir.FullName);
        env["MoodBot__Discord__ApiBaseUrl"] = ApiBase.ToString();
        env["MoodBot__Discord__Token"] = "revoked-token";
        env["MoodBot__Music__DefaultCount"] = "many";
        env["MoodBot__Vision__EmotionModelPath"] = Path.Combine(_dir.FullName, "junk.onnx");
        env["MoodBot__Storage__SqlitePath"] = Path.Combine(_dir.FullName, "missing-dir", "x.db") + "/";
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        env["MOODBOT_SECRETS_FILE"] = Path.Combine(_dir.FullName, "secrets.json");

        await using var check = BotProcess.Start(env, "check-config");
        Assert.Equal(1, await check.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var output = check.Output;
        Assert.Contains("MOODBOT_SECRETS_FILE:", output, StringComparison.Ordinal);
        Assert.Contains("MoodBot:Music:DefaultCount: 'many' is not valid", output, StringComparison.Ordinal);
        Assert.Contains("MoodBot:Vision:EmotionModelPath:", output, StringComparison.Ordinal);
        Assert.Contains("MoodBot:Storage:SqlitePath:", output, StringComparison.Ordinal);
        Assert.Contains($"cannot bind http://127.0.0.1:{port}: address already in use", output, StringComparison.Ordinal);
        Assert.Contains("MoodBot:Discord:Token: Discord rejected the token (401 Unauthorized)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("revoked-token", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_WrongTypedMode_ReportsItWithoutCrashing()
    {
        var env = BotProcess.OfflineEnvironment(_dir.FullName);
        env["MoodBot__Discord__ApiBaseUrl"] = ApiBase.ToString();
        env["MoodBot__Discord__Token"] = GoodToken;
        env["MoodBot__Discord__Mode"] = "Webhook";
        await using var check = BotProcess.Start(env, "check-config");
        Assert.Equal(1, await check.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("MoodBot:Discord:Mode: 'Webhook' is not valid; expected one of Gateway, Http.", check.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_AllGood_Exit0()
    {
        var env = BotProcess.OfflineEnvironment(_dir.FullName);
        env["MoodBot__Discord__ApiBaseUrl"] = ApiBase.ToString();
        env["MoodBot__Discord__Token"] = GoodToken;
        await using var check = BotProcess.Start(env, "check-config");
        var code = await check.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, check.Output);
        Assert.Contains("Configuration OK.", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_NextToTheRunningBot_TheBotsOwnPortIsNotAProblem()
    {
        // `docker exec moodbot /app/moodbot check-config` runs beside the bot, which holds the listener port.
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var env = BotProcess.OfflineEnvironment(_dir.FullName);
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        await using var bot = BotProcess.Start(env);
        await bot.WaitForLineAsync("Application started", TimeSpan.FromSeconds(60));

        env["MoodBot__Discord__ApiBaseUrl"] = ApiBase.ToString();
        env["MoodBot__Discord__Token"] = GoodToken;
        await using var check = BotProcess.Start(env, "check-config");
        var code = await check.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, check.Output);
        Assert.Contains($"Listener: http://127.0.0.1:{port} is in use by a running bot", check.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot bind", check.Output, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (_discord is not null)
        {
            await _discord.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }
}
