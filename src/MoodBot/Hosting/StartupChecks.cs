using Microsoft.Extensions.Configuration;
using MoodBot.Storage;

namespace MoodBot.Hosting;

/// <summary>
/// File-system checks made before anything else touches the files, so the two mistakes seen when the container is run
/// for real (a bind-mounted <c>/data</c> owned by root, a secrets file mounted 0600 root) give one line that says what
/// to do, instead of <c>SQLite Error 14</c> in a crash loop or an unhandled <see cref="UnauthorizedAccessException"/>.
/// </summary>
internal static class StartupChecks
{
    /// <summary>Null when the secrets file named by <c>MOODBOT_SECRETS_FILE</c> can be read (or none is named).</summary>
    public static string? SecretsFileProblem(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        try
        {
            // Opening is the only honest test: permission bits, ACLs and read-only mounts all show up here.
            using var stream = File.OpenRead(path);
            return null;
        }
        catch (FileNotFoundException)
        {
            return $"MOODBOT_SECRETS_FILE: no file at {path}.";
        }
        catch (DirectoryNotFoundException)
        {
            return $"MOODBOT_SECRETS_FILE: no file at {path}.";
        }
        catch (UnauthorizedAccessException)
        {
            return $"MOODBOT_SECRETS_FILE: {path} is not readable by this process ({Who()}): make it readable by that user " +
                   $"(compose `secrets:` and bind mounts keep the host file's owner and mode: on the host, sudo chown {UidOrUser()} <file> && sudo chmod 0400 <file>).";
        }
        catch (IOException e)
        {
            return $"MOODBOT_SECRETS_FILE: cannot read {path}: {e.Message}";
        }
    }

    /// <summary>Null when SQLite's folder exists (or can be made) and this process can create files in it.</summary>
    public static string? DataDirectoryProblem(IConfiguration configuration)
    {
        var options = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (options.Provider != StorageProvider.Sqlite || !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return null;
        }

        var file = Path.IsPathRooted(options.SqlitePath) ? options.SqlitePath : Path.Combine(AppContext.BaseDirectory, options.SqlitePath);
        var dir = Path.GetDirectoryName(Path.GetFullPath(file));
        if (string.IsNullOrEmpty(dir))
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(dir);
            // SQLite needs to create its -wal and -shm files beside the database, not only to open it: probe with a new file.
            var probe = Path.Combine(dir, $".moodbot-write-test-{Environment.ProcessId}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            var reason = e is UnauthorizedAccessException ? "permission denied" : e.Message;
            return $"MoodBot:Storage:SqlitePath: cannot write to {dir} ({reason}; this process is {Who()}): make {dir} writable by uid " +
                   $"{UidOrUser()} (for a bind-mounted host folder: sudo chown -R {UidOrUser()} <host folder>).";
        }
    }

    private static string Who() => Uid() is { } uid ? $"uid {uid}" : Environment.UserName;

    private static string UidOrUser() => Uid()?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Environment.UserName;

    /// <summary>The effective uid from /proc (Linux); null elsewhere.</summary>
    private static string? Uid()
    {
        try
        {
            // "Uid:\treal\teffective\tsaved\tfs"
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } ? fields[2] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
