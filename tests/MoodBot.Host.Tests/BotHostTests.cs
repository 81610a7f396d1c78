using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Cli;
using MoodBot.Core;

namespace MoodBot.Host.Tests;

public sealed partial class BotHostTests
{
    [Fact]
    public async Task BuildBot_FakeConfig_LiveButNotReadyAndMetricsParse()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = Path.Combine(Path.GetTempPath(), $"moodbot-host-{Guid.NewGuid():N}.db");
        await using var app = MoodBotHost.BuildBot(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["MoodBot:Discord:Token"] = "fake-token",
            ["MoodBot:Discord:ApplicationId"] = "123456789012345678",
            // A closed local port: Discord is unreachable, so the bot must say it is not ready.
            ["MoodBot:Discord:ApiBaseUrl"] = "http://127.0.0.1:9/api/v10",
            ["MoodBot:Storage:SqlitePath"] = db,
        });
        await app.StartAsync(ct);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };

            using var live = await http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);

            using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(ct));
            var checks = report.RootElement.GetProperty("checks");
            Assert.Equal("Healthy", checks.GetProperty("models").GetProperty("status").GetString());
            Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
            Assert.Equal("Unhealthy", checks.GetProperty("discord").GetProperty("status").GetString());

            // Analyse one photo so the pipeline's series exist, then check the exposition format line by line.
            var analyzer = app.Services.GetRequiredService<IPhotoAnalyzer>();
            await analyzer.AnalyzeAsync(await File.ReadAllBytesAsync(SharedData.Path("photos/bbt1.jpg"), ct), ct);
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
            var lines = metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(lines, l => Assert.True(l.StartsWith('#') || SampleLine().IsMatch(l), $"not Prometheus text: {l}"));
            Assert.True(lines.Any(l => l.StartsWith("moodbot_faces", StringComparison.Ordinal)), metrics);
            Assert.Contains(lines, l => l.StartsWith("moodbot_stage_duration", StringComparison.Ordinal));

            // The container's HEALTHCHECK goes through the CLI verb: parse and probe exactly as Docker would.
            Assert.Equal(ExitCodes.Ok, await MoodBotCli.Build().Parse(["healthcheck", "--url", address + "/healthz"]).InvokeAsync(cancellationToken: ct));
            Assert.Equal(ExitCodes.Failure, await MoodBotCli.Build().Parse(["healthcheck", "--url", address + "/readyz"]).InvokeAsync(cancellationToken: ct));
            Assert.Equal(ExitCodes.BadInput, await MoodBotCli.Build().Parse(["healthcheck", "--url", "not a url"]).InvokeAsync(cancellationToken: ct));
        }
        finally
        {
            await app.StopAsync(ct);
            File.Delete(db);
        }
    }

    [Fact]
    public async Task CheckConfig_MissingDiscordToken_Exit1WithPlainWords()
    {
        using var output = new StringWriter();
        var code = await CheckConfigCommand.RunAsync(output, new Dictionary<string, string?>
        {
            ["MoodBot:Discord:Token"] = "",
            ["MoodBot:Storage:SqlitePath"] = Path.Combine(Path.GetTempPath(), $"moodbot-check-{Guid.NewGuid():N}.db"),
        }, TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("MoodBot:Discord:Token is empty", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_InvalidOption_ReportsValidationFailure()
    {
        using var output = new StringWriter();
        var code = await CheckConfigCommand.RunAsync(output, new Dictionary<string, string?>
        {
            ["MoodBot:Discord:Token"] = "t",
            ["MoodBot:Discord:ApplicationId"] = "123456789012345678",
            ["MoodBot:Vision:MaxPixels"] = "0",
        }, TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("MaxPixels", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:8080/healthz")]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080/healthz")]
    [InlineData("http://+:5000;https://+:5001", "http://127.0.0.1:5000/healthz")]
    [InlineData("http://127.0.0.1:7000/", "http://127.0.0.1:7000/healthz")]
    public void Healthcheck_DefaultUrl_ProbesLoopback(string? urls, string expected) =>
        Assert.Equal(new Uri(expected), HealthcheckCommand.DefaultUrl(urls));

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+]?([0-9.eE+-]+|NaN|\+Inf|-Inf)( [0-9]+)?$")]
    private static partial Regex SampleLine();
}
