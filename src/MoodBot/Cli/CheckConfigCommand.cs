using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MoodBot.Discord;
using MoodBot.Spotify;
using MoodBot.Storage;
using MoodBot.Vision;

namespace MoodBot.Cli;

/// <summary><c>moodbot check-config</c>: validates configuration the way start-up does and says in plain words what is missing.</summary>
public static class CheckConfigCommand
{
    public static Command Create()
    {
        var cmd = new Command("check-config", "Validate configuration and print what is missing; exits 1 when the bot could not run.");
        cmd.SetAction((_, _) => Task.FromResult(Run(Console.Out)));
        return cmd;
    }

    public static int Run(TextWriter output, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var host = MoodBotHost.CreateBuilder(cli: true, overrides).Build();
        var problems = new List<string>();
        try
        {
            // The same validators ValidateOnStart runs (data annotations, generated validators, cross-field rules).
            host.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures);
        }
        catch (AggregateException e)
        {
            problems.AddRange(e.InnerExceptions.OfType<OptionsValidationException>().SelectMany(x => x.Failures));
        }

        var vision = SafeValue<VisionOptions>(host.Services) ?? new VisionOptions();
        var detectorKey = string.IsNullOrWhiteSpace(vision.FaceModelPath) ? "FaceCascadePath" : "FaceModelPath";
        var detectorPath = string.IsNullOrWhiteSpace(vision.FaceModelPath) ? vision.FaceCascadePath : vision.FaceModelPath;
        foreach (var (key, path) in new[] { ("EmotionModelPath", vision.EmotionModelPath), (detectorKey, detectorPath) })
        {
            var full = Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
            if (!File.Exists(full))
            {
                problems.Add($"MoodBot:Vision:{key}: no file at {full}.");
            }
        }

        var discord = SafeValue<DiscordOptions>(host.Services);
        if (discord is not null && string.IsNullOrWhiteSpace(discord.Token))
        {
            problems.Add("MoodBot:Discord:Token is empty: the bot cannot connect to Discord (Developer Portal > your app > Bot > Reset Token).");
        }

        if (discord is not null && string.IsNullOrWhiteSpace(discord.ApplicationId))
        {
            problems.Add("MoodBot:Discord:ApplicationId is empty: slash commands cannot be registered (Developer Portal > General Information).");
        }

        var spotify = SafeValue<SpotifyOptions>(host.Services);
        var storage = SafeValue<StorageOptions>(host.Services);
        output.WriteLine($"Discord:  {(discord is null ? "invalid" : string.IsNullOrWhiteSpace(discord.Token) ? "not configured" : $"{discord.Mode} mode")}");
        output.WriteLine($"Spotify:  {(spotify is null ? "invalid" : spotify.IsLinkingConfigured ? "search, linking and playlists" : spotify.IsConfigured ? "search only (linking needs RedirectUri and EncryptionKey)" : "off (optional: catalog recommendations still work)")}");
        output.WriteLine($"Storage:  {(storage is null ? "invalid" : storage.Provider.ToString())}");
        output.WriteLine($"Models:   {vision.EmotionModelPath}, {detectorPath}");
        if (problems.Count == 0)
        {
            output.WriteLine("Configuration OK.");
            return ExitCodes.Ok;
        }

        output.WriteLine();
        output.WriteLine($"{problems.Count} problem(s):");
        foreach (var p in problems.Distinct())
        {
            output.WriteLine($"  - {p}");
        }

        return ExitCodes.Failure;
    }

    private static T? SafeValue<T>(IServiceProvider services)
        where T : class
    {
        try
        {
            return services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
