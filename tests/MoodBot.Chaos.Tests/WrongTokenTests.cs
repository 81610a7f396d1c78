using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Chaos.Tests;

/// <summary>A bot token Discord rejects (every REST call answered 401): the operator learns it in one plain line.</summary>
public sealed partial class WrongTokenTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-token-");

    [Fact]
    public async Task Start_TokenRejected_OneLineFailureOrReadyz503()
    {
        await using var fake = await FakeDiscord.StartAsync();
        fake.OnRest = _ => new FakeResponse(401, """{"message": "401: Unauthorized", "code": 0}""");
        await using var bot = BotProcess.Start(GatewayBot.Environment(fake, _dir.FullName));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (bot.HasExited)
            {
                // Either the process stops with one line naming the token …
                Assert.NotEqual(0, await bot.WaitForExitAsync(TimeSpan.FromSeconds(10)));
                var lines = bot.Lines.Where(l => l.Contains("token", StringComparison.OrdinalIgnoreCase) && l.Contains("401", StringComparison.Ordinal)).ToList();
                Assert.True(lines.Count >= 1, bot.Output);
                Assert.DoesNotContain(bot.Lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
                Assert.DoesNotContain(FakeDiscord.Token, bot.Output, StringComparison.Ordinal);
                return;
            }

            // … or it keeps running and /readyz says why it is not ready.
            if (bot.Lines.Select(l => ListeningOn().Match(l)).FirstOrDefault(m => m.Success) is { } listening)
            {
                using var response = await http.GetAsync(new Uri(new Uri(listening.Groups[1].Value), "/readyz"), TestContext.Current.CancellationToken);
                var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains("401", StringComparison.Ordinal))
                {
                    Assert.Contains("token", body, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain(FakeDiscord.Token, body + bot.Output, StringComparison.Ordinal);
                    return;
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail("neither a one-line failure nor /readyz 503 naming the rejected token within 2 minutes:\n" + bot.Output);
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }
}
