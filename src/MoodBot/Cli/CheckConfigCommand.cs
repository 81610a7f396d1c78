using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Discord;
using MoodBot.Hosting;
using MoodBot.Music;
using MoodBot.Spotify;
using MoodBot.Storage;
using MoodBot.Vision;

namespace MoodBot.Cli;

/// <summary>
/// <c>moodbot check-config</c>: start-up's twin. The same validators and the same loads (secrets file, options, models,
/// database, listener address), plus the Discord token against <c>GET /users/@me</c>; every problem is listed, in the
/// words start-up would use, and nothing here throws on bad input.
/// </summary>
public static class CheckConfigCommand
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var cmd = new Command("check-config", "Validate configuration, probe the database, models, listener and Discord token; exits 1 listing every problem.");
        cmd.SetAction((_, ct) => RunAsync(Console.Out, cancellationToken: ct));
        return cmd;
    }

    public static async Task<int> RunAsync(TextWriter output, IEnumerable<KeyValuePair<string, string?>>? overrides = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var problems = new List<string>();
        try
        {
            MoodBotHost.CheckSecretsFile();
        }
        catch (StartupFailureException e)
        {
            problems.Add(e.Message);
        }

        // Built without the secrets file when it is broken, so everything else is still checked.
        using var host = MoodBotHost.CreateBuilder(cli: true, overrides, withSecretsFile: problems.Count == 0).Build();
        var services = host.Services;
        var vision = Value<VisionOptions>(services, problems);
        var storage = Value<StorageOptions>(services, problems);
        var discord = Value<DiscordOptions>(services, problems);
        var spotify = Value<SpotifyOptions>(services, problems);
        Value<MusicOptions>(services, problems);
        try
        {
            // Whatever else ValidateOnStart covers (the framework's own options).
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException or InvalidOperationException)
        {
            problems.Add(StartupReporter.Describe(e));
        }

        if (vision is not null)
        {
            problems.AddRange(ModelWarmUp.FindProblems(services));
        }

        if (storage is not null && await services.GetRequiredService<StorageProbe>().FindProblemAsync(migrate: false, cancellationToken) is { } db)
        {
            problems.Add(db);
        }

        var configuration = services.GetRequiredService<IConfiguration>();
        var notes = new List<string>();
        foreach (var (url, problem) in ListenerProblems(configuration["urls"] ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://localhost:5000"))
        {
            // check-config run inside a running container (`docker exec … check-config`) finds the bot itself on the
            // port: that is the healthy case, not a problem.
            if (url is not null && await ServedByRunningBotAsync(url, cancellationToken))
            {
                notes.Add($"Listener: {url.GetLeftPart(UriPartial.Authority)} is in use by a running bot (its /healthz answers).");
            }
            else
            {
                problems.Add(problem);
            }
        }

        if (discord is not null && string.IsNullOrWhiteSpace(discord.Token))
        {
            problems.Add("MoodBot:Discord:Token is empty: the bot cannot connect to Discord (Developer Portal > your app > Bot > Reset Token).");
        }
        else if (discord is not null && await TokenProblemAsync(discord, cancellationToken) is { } token)
        {
            problems.Add(token);
        }

        if (discord is not null && string.IsNullOrWhiteSpace(discord.ApplicationId))
        {
            problems.Add("MoodBot:Discord:ApplicationId is empty: slash commands cannot be registered (Developer Portal > General Information).");
        }

        var detectorPath = vision is null ? "-" : string.IsNullOrWhiteSpace(vision.FaceModelPath) ? vision.FaceCascadePath : vision.FaceModelPath;
        output.WriteLine($"Discord:  {(discord is null ? "invalid" : string.IsNullOrWhiteSpace(discord.Token) ? "not configured" : $"{discord.Mode} mode")}");
        output.WriteLine($"Spotify:  {(spotify is null ? "invalid" : spotify.IsLinkingConfigured ? "search, linking and playlists" : spotify.IsConfigured ? "search only (linking needs RedirectUri and EncryptionKey)" : "off (optional: catalog recommendations still work)")}");
        output.WriteLine($"Storage:  {(storage is null ? "invalid" : $"{storage.Provider}, {StorageProbe.Location(storage)}")}");
        output.WriteLine($"Models:   {(vision is null ? "invalid" : $"{vision.EmotionModelPath}, {detectorPath}")}");
        foreach (var note in notes)
        {
            output.WriteLine(note);
        }

        if (problems.Count == 0)
        {
            output.WriteLine("Configuration OK.");
            return ExitCodes.Ok;
        }

        var distinct = problems.Distinct().ToList();
        output.WriteLine();
        output.WriteLine($"{distinct.Count} problem(s):");
        foreach (var p in distinct)
        {
            output.WriteLine($"  - {p}");
        }

        return ExitCodes.Failure;
    }

    /// <summary>
    /// Each address Kestrel would bind, bound and released here: a port in use is found before the bot starts. Each
    /// problem comes with the loopback-reachable URL of the address when the cause is "already in use", else null.
    /// </summary>
    internal static IEnumerable<(Uri? InUse, string Problem)> ListenerProblems(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards (+, *) are not valid URI hosts.
            var parsed = url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parsed, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                yield return (null, $"urls / ASPNETCORE_URLS: '{url}' is not an address like http://0.0.0.0:8080.");
                continue;
            }

            var address = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(uri.Host, out var ip) ? ip : null;
            if (address is null || uri.Port == 0)
            {
                // A host name is resolved by Kestrel at start; port 0 always binds.
                continue;
            }

            string? problem = null;
            Uri? inUse = null;
            try
            {
                using var listener = new TcpListener(address, uri.Port);
                listener.Start();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                problem = $"the listener cannot bind {url}: address already in use; stop the other process or choose another port with ASPNETCORE_URLS / urls.";
                var host = address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Equals(IPAddress.IPv6Any) ? "[::1]" : uri.Host;
                inUse = new UriBuilder("http", host, uri.Port, "/healthz").Uri;
            }
            catch (SocketException e)
            {
                problem = $"the listener cannot bind {url} ({e.SocketErrorCode}); check ASPNETCORE_URLS / urls (ports below 1024 need privileges).";
            }

            if (problem is not null)
            {
                yield return (inUse, problem);
            }
        }
    }

    /// <summary>Whether a MoodBot already serves <paramref name="healthz"/> (a healthy JSON answer within two seconds).</summary>
    private static async Task<bool> ServedByRunningBotAsync(Uri healthz, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(healthz, cancellationToken);
            return response.IsSuccessStatusCode
                && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains("\"status\":\"Healthy\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>GET /users/@me with the bot token: the cheapest call that proves Discord accepts it.</summary>
    private static async Task<string?> TokenProblemAsync(DiscordOptions discord, CancellationToken cancellationToken)
    {
        var url = new Uri(discord.ApiBaseUrl.ToString().TrimEnd('/') + "/users/@me");
        using var http = new HttpClient { Timeout = ProbeTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bot", discord.Token);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => null,
                HttpStatusCode.Unauthorized =>
                    "MoodBot:Discord:Token: Discord rejected the token (401 Unauthorized); reset it under Developer Portal > your app > Bot and set the new one.",
                var code => string.Create(CultureInfo.InvariantCulture, $"MoodBot:Discord:Token: could not be checked: {url} answered {(int)code} {code}."),
            };
        }
        catch (HttpRequestException e)
        {
            return $"MoodBot:Discord:Token: could not be checked: {url} is unreachable ({e.HttpRequestError}); check the network or MoodBot:Discord:ApiBaseUrl.";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"MoodBot:Discord:Token: could not be checked: no answer from {url} within {ProbeTimeout.TotalSeconds:F0} s.";
        }
    }

    /// <summary>The bound and validated options, or null with the problem added (a wrong-typed value or a failed rule).</summary>
    private static T? Value<T>(IServiceProvider services, List<string> problems)
        where T : class
    {
        try
        {
            return services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            problems.Add(StartupReporter.Describe(e));
            return null;
        }
    }
}
