using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MoodBot.Faults.Tests;

/// <summary>
/// A PostgreSQL cluster of this test's own (initdb into a temporary folder, loopback, a free port), so it can be
/// stopped and started mid-run without touching the server any other suite uses. Skips when the server binaries are
/// not installed (scripts/setup.sh installs them; CI tolerates their absence the same way scripts/test.sh does).
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asPostgresUser;

    private PrivatePostgres(string bin, string dir, int port, bool asPostgresUser)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    /// <summary>Short timeouts so calls against a stopped server fail in about a second instead of hanging.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"Host=127.0.0.1;Port={Port};Username=moodbot;Database=postgres;Timeout=2;Command Timeout=5");

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(Directory.Exists)
                .OrderBy(d => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : new Version(0, 0)).LastOrDefault()
            : null;
        if (bin is null)
        {
            Assert.Skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed.");
        }

        var dir = Directory.CreateTempSubdirectory("moodbot-faults-pg-").FullName;
        // initdb refuses to run as root; the container's tests do, so the cluster belongs to the postgres user there.
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres", dir]);
        }

        var pg = new PrivatePostgres(bin, dir, FreePort(), asPostgres);
        await pg.RunPgAsync("initdb", ["-D", pg.DataDir, "-U", "moodbot", "--auth=trust", "-E", "UTF8"]);
        await pg.StartServerAsync();
        return pg;
    }

    private string DataDir => Path.Combine(_dir, "data");

    /// <summary>Starts the server and returns once it accepts connections.</summary>
    public Task StartServerAsync() => RunPgAsync("pg_ctl", ["-D", DataDir, "-l", Path.Combine(_dir, "log"), "-w", "-o",
        string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off"), "start"]);

    /// <summary>Stops the server the hard way (as a crash or a killed container would): open connections just break.</summary>
    public Task StopServerAsync() => RunPgAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_dir, recursive: true);
    }

    private Task RunPgAsync(string tool, IReadOnlyList<string> args) => _asPostgresUser
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
        : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
