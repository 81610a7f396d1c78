using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MoodBot.Discord.Tests.Fakes;
using NSec.Cryptography;

namespace MoodBot.Host.Tests;

/// <summary>HTTP interactions mode has no gateway session to lose: the token is checked when commands are registered.</summary>
public sealed class HttpReadinessTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-readyz-");
    private FakeDiscord _discord = null!;

    public async ValueTask InitializeAsync() => _discord = await FakeDiscord.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _discord.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Readyz_HttpMode_TokenRejectedBy401_503WithTheReason(bool rejected)
    {
        if (rejected)
        {
            _discord.OnRest = r => r.Method == "PUT" && r.Path.Contains("/commands", StringComparison.Ordinal)
                ? new FakeResponse(401, """{"message":"401: Unauthorized","code":0}""")
                : null;
        }

        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        await using var app = MoodBotHost.BuildBot(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["MoodBot:Discord:Token"] = FakeDiscord.Token,
            ["MoodBot:Discord:ApplicationId"] = FakeDiscord.ApplicationId,
            ["MoodBot:Discord:ApiBaseUrl"] = _discord.ApiBase.ToString(),
            ["MoodBot:Discord:Mode"] = "Http",
            ["MoodBot:Discord:PublicKey"] = Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
            ["MoodBot:Storage:SqlitePath"] = Path.Combine(_dir.FullName, "moodbot.db"),
        });
        var ct = TestContext.Current.CancellationToken;
        await app.StartAsync(ct);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            await _discord.NextRequestAsync(r => r.Method == "PUT");
            (HttpStatusCode Status, JsonElement Discord) ready = default;
            for (var i = 0; i < 100; i++)
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative), ct);
                using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                ready = (response.StatusCode, report.RootElement.GetProperty("checks").GetProperty("discord").Clone());
                if (!rejected || ready.Status == HttpStatusCode.ServiceUnavailable)
                {
                    break;
                }

                await Task.Delay(100, ct);
            }

            if (rejected)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
                Assert.Equal("Unhealthy", ready.Discord.GetProperty("status").GetString());
                Assert.Contains("token was rejected (401)", ready.Discord.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Contains("MoodBot:Discord:Token", ready.Discord.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Single(_discord.Requests, r => r.Method == "PUT"); // a refused token is not retried
            }
            else
            {
                Assert.Equal("Healthy", ready.Discord.GetProperty("status").GetString());
            }
        }
        finally
        {
            await app.StopAsync(ct);
        }
    }
}
