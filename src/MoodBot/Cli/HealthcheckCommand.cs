using System.CommandLine;

namespace MoodBot.Cli;

/// <summary>
/// <c>moodbot healthcheck [--url]</c>: GETs the running bot's /healthz and exits 0 when it answers 200. Used by the
/// container's HEALTHCHECK, so the runtime image needs no curl.
/// </summary>
public static class HealthcheckCommand
{
    public static Command Create()
    {
        // A string, not a Uri: System.CommandLine has no built-in Uri parser.
        var url = new Option<string>("--url")
        {
            Description = "Health endpoint (default: first ASPNETCORE_URLS address + /healthz, else http://127.0.0.1:8080/healthz).",
        };
        var cmd = new Command("healthcheck", "Probe a running bot's /healthz.") { url };
        cmd.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(url);
            if (given is null)
            {
                return await RunAsync(DefaultUrl(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")), Console.Error, ct);
            }

            if (!Uri.TryCreate(given, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                await Console.Error.WriteLineAsync($"error: --url must be an absolute http(s) URL, not '{given}'");
                return ExitCodes.BadInput;
            }

            return await RunAsync(uri, Console.Error, ct);
        });
        return cmd;
    }

    public static async Task<int> RunAsync(Uri url, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = await http.GetAsync(url, ct);
            if (response.IsSuccessStatusCode)
            {
                return ExitCodes.Ok;
            }

            await stderr.WriteLineAsync($"unhealthy: {url} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"unhealthy: {url}: {e.Message}");
        }

        return ExitCodes.Failure;
    }

    /// <summary>Turns a listen address (possibly a wildcard) into a loopback URL to probe.</summary>
    public static Uri DefaultUrl(string? aspnetcoreUrls)
    {
        var first = aspnetcoreUrls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(first))
        {
            return new Uri("http://127.0.0.1:8080/healthz");
        }

        var normalised = first.Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal);
        return new Uri(new Uri(normalised.TrimEnd('/') + "/"), "healthz");
    }
}
