using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MoodBot.Discord;

/// <summary>How interactions reach the bot.</summary>
public enum DiscordMode
{
    /// <summary>A WebSocket connection to Discord's gateway (no public endpoint needed).</summary>
    Gateway,

    /// <summary>Discord POSTs interactions to <c>/interactions</c> on our Kestrel listener (needs public HTTPS).</summary>
    Http,
}

/// <summary>Configuration section <c>MoodBot:Discord</c>. An empty <see cref="Token"/> disables the feature.</summary>
public sealed class DiscordOptions
{
    public const string Section = "MoodBot:Discord";

    /// <summary>REST base; the gateway URL is always discovered from <c>GET {ApiBaseUrl}/gateway/bot</c>.</summary>
    [Required]
    public Uri ApiBaseUrl { get; set; } = new("https://discord.com/api/v10");

    /// <summary>Origins (scheme://host[:port]) attachments may be downloaded from; anything else is refused (SSRF).</summary>
    [Required]
    [MinLength(1)]
    public IList<Uri> CdnHosts { get; set; } = [];

    /// <summary>The bot token. Empty: Discord is disabled (CLI verbs and other features still run).</summary>
    public string? Token { get; set; }

    /// <summary>The application (client) id; required when a token is set.</summary>
    public string? ApplicationId { get; set; }

    /// <summary>Hex Ed25519 public key from the developer portal; required in HTTP mode.</summary>
    public string? PublicKey { get; set; }

    public DiscordMode Mode { get; set; } = DiscordMode.Gateway;

    /// <summary>Register commands to this guild only (instant updates while developing) instead of globally.</summary>
    public string? GuildId { get; set; }

    /// <summary>Run only this shard (with <see cref="ShardCount"/>); unset: run every shard Discord recommends.</summary>
    [Range(0, 65535)]
    public int? ShardId { get; set; }

    [Range(1, 65536)]
    public int? ShardCount { get; set; }

    /// <summary>Seconds a member waits between two <c>/moodmusic</c> runs.</summary>
    [Range(0, 3600)]
    public int CooldownSeconds { get; set; } = 20;

    /// <summary>Largest photo downloaded; bigger ones come from the media proxy resized, or are refused.</summary>
    [Range(16 * 1024, 100L * 1024 * 1024)]
    public long MaxAttachmentBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>Photos whose longest side exceeds this are fetched resized from the media proxy.</summary>
    [Range(256, 8192)]
    public int ResizeAbovePixels { get; set; } = 1600;

    public bool Enabled => !string.IsNullOrWhiteSpace(Token);

    internal static readonly Uri[] DefaultCdnHosts = [new("https://cdn.discordapp.com"), new("https://media.discordapp.net")];
}

[OptionsValidator]
public sealed partial class DiscordOptionsValidator : IValidateOptions<DiscordOptions>;

/// <summary>Cross-field rules the attribute validator cannot express.</summary>
public sealed class DiscordOptionsRulesValidator : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
        {
            failures.Add("MoodBot:Discord:ApiBaseUrl must be an absolute http(s) URL.");
        }

        foreach (var host in options.CdnHosts)
        {
            if (!host.IsAbsoluteUri || host.Scheme is not ("https" or "http") || host.AbsolutePath != "/")
            {
                failures.Add($"MoodBot:Discord:CdnHosts entry '{host}' must be an origin like https://cdn.discordapp.com (no path).");
            }
        }

        if ((options.ShardId is null) != (options.ShardCount is null))
        {
            failures.Add("MoodBot:Discord:ShardId and ShardCount must be set together (or both left out for automatic sharding).");
        }
        else if (options.ShardId >= options.ShardCount)
        {
            failures.Add("MoodBot:Discord:ShardId must be less than ShardCount.");
        }

        if (options.Enabled)
        {
            if (!IsSnowflake(options.ApplicationId))
            {
                failures.Add("MoodBot:Discord:ApplicationId is required when a Token is set (the numeric application id).");
            }

            if (options.GuildId is { Length: > 0 } && !IsSnowflake(options.GuildId))
            {
                failures.Add("MoodBot:Discord:GuildId must be a numeric id.");
            }

            if (options.Mode == DiscordMode.Http && !InteractionSignature.TryParsePublicKey(options.PublicKey, out _))
            {
                failures.Add("MoodBot:Discord:PublicKey (64 hex characters) is required in Http mode.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsSnowflake(string? s) => s is { Length: > 0 and <= 20 } && s.All(char.IsAsciiDigit);
}
