using System.Collections.Concurrent;
using System.Diagnostics;

namespace MoodBot.Chaos.Tests;

/// <summary>
/// <c>dotnet moodbot.dll [verb]</c> from this test's output folder, with its own environment, output captured line by line.
/// Disposing kills whatever is still running.
/// </summary>
internal sealed class BotProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private BotProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Settings for a bot that needs nothing outside loopback: a closed Discord port and a SQLite file in <paramref name="dir"/>.</summary>
    public static Dictionary<string, string?> OfflineEnvironment(string dir) => new()
    {
        ["MoodBot__Discord__Token"] = "fake-token",
        ["MoodBot__Discord__ApplicationId"] = "123456789012345678",
        ["MoodBot__Discord__ApiBaseUrl"] = "http://127.0.0.1:9/api/v10",
        ["MoodBot__Storage__SqlitePath"] = Path.Combine(dir, "moodbot.db"),
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        // The Discord retries against the closed port are not what these tests read.
        ["Logging__LogLevel__Polly"] = "None",
        ["Logging__LogLevel__MoodBot.Discord"] = "Error",
    };

    public static BotProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "moodbot.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // Nothing from the test runner's own environment leaks in (a MoodBot__ or secrets variable of the machine).
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MoodBot__", StringComparison.OrdinalIgnoreCase) ||
                                                             k is "MOODBOT_SECRETS_FILE" or "ASPNETCORE_URLS").ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }

        return new BotProcess(Process.Start(info)!);
    }

    /// <summary>The first line containing <paramref name="text"/>; fails with the output so far after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (_process.HasExited && _lines.All(l => !l.Contains(text, StringComparison.Ordinal)))
            {
                // Output can trail the exit a little.
                await Task.Delay(200, CancellationToken.None);
                if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } late)
                {
                    return late;
                }

                Assert.Fail($"exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            }

            try
            {
                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no line with '{text}' within {timeout.TotalSeconds:F0} s:\n{Output}");
            }
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"still running after {timeout.TotalSeconds:F0} s:\n{Output}");
        }

        // WaitForExitAsync returns once the redirected streams are drained too.
        return _process.ExitCode;
    }

    /// <summary>kill -9: no handler runs, nothing is released but what the kernel releases.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>A plain SIGTERM, as <c>docker stop</c> or systemd sends.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _lineArrived.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            _lineArrived.Release();
        }
    }
}
