using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MoodBot.Discord.Tests.Fakes;
using NSec.Cryptography;

namespace MoodBot.Host.Tests;

/// <summary>
/// What an operator reads: the built bot run as a process, its console output captured, in both log formats. A line
/// logged while handling an interaction carries that interaction's id (plain text), or the field (JSON).
/// </summary>
public sealed partial class LogFormatTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("moodbot-logs-");
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private FakeDiscord _discord = null!;

    public async ValueTask InitializeAsync() => _discord = await FakeDiscord.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _discord.DisposeAsync();
        _key.Dispose();
        _dir.Delete(recursive: true);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task InteractionLines_CarryTheInteractionId_InTextAndJson(string format)
    {
        var ct = TestContext.Current.CancellationToken;
        var lines = new ConcurrentQueue<string>();
        using var process = Start(format, lines);
        try
        {
            var port = await WaitForAsync(lines, l => ListeningOn().Match(l) is { Success: true } m ? m.Groups[1].Value : null, process);
            // /moodmusic without its photo: refused inline (an information line, inside the interaction's scope).
            var interaction = Payloads.Command("moodmusic");
            var id = interaction["id"]!.GetValue<string>();
            using var http = new HttpClient();
            using var response = await PostSignedAsync(http, new Uri($"http://127.0.0.1:{port}/interactions"), interaction.ToJsonString());
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var refused = await WaitForAsync(lines, l => l.Contains("refused", StringComparison.Ordinal) ? l : null, process);

            Assert.DoesNotContain(lines, l => l.Contains("System.Collections.Generic", StringComparison.Ordinal));
            if (format == "text")
            {
                Assert.Contains($"Interaction {id}", refused, StringComparison.Ordinal);
            }
            else
            {
                using var json = JsonDocument.Parse(refused);
                var scopes = json.RootElement.GetProperty("Scopes").EnumerateArray().ToList();
                var scope = Assert.Single(scopes, s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("InteractionId", out _));
                Assert.Equal(id, scope.GetProperty("InteractionId").GetString());
                Assert.Equal($"Interaction {id}", scope.GetProperty("Message").GetString());
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();

    private Process Start(string format, ConcurrentQueue<string> lines)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.FullName,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "moodbot.dll"));
        foreach (var k in info.Environment.Keys.Where(k => k.StartsWith("MoodBot__", StringComparison.OrdinalIgnoreCase) ||
                                                          k is "MOODBOT_SECRETS_FILE" or "ASPNETCORE_URLS").ToList())
        {
            info.Environment.Remove(k);
        }

        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["MoodBot__LogFormat"] = format;
        info.Environment["MoodBot__Discord__Token"] = FakeDiscord.Token;
        info.Environment["MoodBot__Discord__ApplicationId"] = FakeDiscord.ApplicationId;
        info.Environment["MoodBot__Discord__ApiBaseUrl"] = _discord.ApiBase.ToString();
        info.Environment["MoodBot__Discord__Mode"] = "Http";
        info.Environment["MoodBot__Discord__PublicKey"] = Convert.ToHexStringLower(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        info.Environment["MoodBot__Storage__SqlitePath"] = Path.Combine(_dir.FullName, format + ".db");
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        void Add(string? line)
        {
            if (line is not null)
            {
                lines.Enqueue(line);
            }
        }
    }

    private static async Task<string> WaitForAsync(ConcurrentQueue<string> lines, Func<string, string?> pick, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (lines.Select(pick).FirstOrDefault(p => p is not null) is { } found)
            {
                return found;
            }

            Assert.False(process.HasExited, "the bot exited:\n" + string.Join('\n', lines));
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail("not found in the output:\n" + string.Join('\n', lines));
        return string.Empty;
    }

    private async Task<HttpResponseMessage> PostSignedAsync(HttpClient http, Uri url, string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(_key, Encoding.UTF8.GetBytes(timestamp + body))));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
