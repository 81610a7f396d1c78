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

    /// <summary>Run only this one shard (with <see cref="ShardCount"/>); shorthand for <see cref="ShardIds"/> = "N".</summary>
    [Range(0, 65535)]
    public int? ShardId { get; set; }

    /// <summary>
    /// The shards this instance runs, out of <see cref="ShardCount"/>: ranges and single ids, comma-separated
    /// (<c>"0-3"</c>, <c>"4-7"</c>, <c>"0,2,5-6"</c>). Several instances split one bot by taking disjoint ranges. Unset
    /// (with <see cref="ShardId"/> and <see cref="ShardCount"/> unset too): run every shard Discord recommends.
    /// </summary>
    public string? ShardIds { get; set; }

    /// <summary>The bot's total shard count, the same on every instance; required with <see cref="ShardId"/> or <see cref="ShardIds"/>.</summary>
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

    /// <summary>
    /// HTTP mode: interactions deferred in the HTTP answer and waiting for a worker. When full, a member gets a "busy"
    /// message instead of a deferral; each waiting entry is only the interaction's JSON (the photo is fetched later).
    /// </summary>
    [Range(1, 100_000)]
    public int HttpQueueCapacity { get; set; } = 512;

    /// <summary>
    /// HTTP mode: interactions worked on at once (download, analysis, reply). Unset: four per core, because most of a
    /// run waits on Discord, the CDN or the database rather than the CPU.
    /// </summary>
    [Range(1, 1024)]
    public int? HttpWorkers { get; set; }

    public int EffectiveHttpWorkers => HttpWorkers ?? Math.Max(4, Environment.ProcessorCount * 4);

    public bool Enabled => !string.IsNullOrWhiteSpace(Token);

    /// <summary>The configured shard ids in ascending order, or null for automatic sharding (options already validated).</summary>
    public IReadOnlyList<int>? ConfiguredShardIds() =>
        ShardId is { } one ? [one]
        : ParseShardIds(ShardIds, out var ids) is null && ids.Count > 0 ? ids
        : null;

    /// <summary>Parses <c>"0-3,6"</c>; returns an error message, or null with the distinct ids in ascending order.</summary>
    internal static string? ParseShardIds(string? text, out IReadOnlyList<int> ids)
    {
        ids = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var set = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2 || !bounds.All(b => b.Length is > 0 and <= 5 && b.All(char.IsAsciiDigit)))
            {
                return $"'{part}' is not a shard id or a range like 0-3";
            }

            var from = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
            var to = int.Parse(bounds[^1], System.Globalization.CultureInfo.InvariantCulture);
            if (to < from)
            {
                return $"the range '{part}' runs backwards";
            }

            for (var id = from; id <= to; id++)
            {
                set.Add(id);
            }
        }

        ids = [.. set];
        return null;
    }

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

        var shardIdsProblem = DiscordOptions.ParseShardIds(options.ShardIds, out var shardIds);
        var someShards = options.ShardId is not null || !string.IsNullOrWhiteSpace(options.ShardIds);
        if (options.ShardId is not null && !string.IsNullOrWhiteSpace(options.ShardIds))
        {
            failures.Add("MoodBot:Discord:ShardId and ShardIds are alternatives: set one (ShardIds = \"0-3\" covers a range).");
        }
        else if (shardIdsProblem is not null)
        {
            failures.Add($"MoodBot:Discord:ShardIds: {shardIdsProblem}.");
        }
        else if (someShards != options.ShardCount is not null)
        {
            failures.Add("MoodBot:Discord:ShardId or ShardIds must be set together with ShardCount (or all left out for automatic sharding).");
        }
        else if (options.ShardId >= options.ShardCount)
        {
            failures.Add("MoodBot:Discord:ShardId must be less than ShardCount.");
        }
        else if (options.ShardCount is { } count && shardIds.Count > 0 && shardIds[^1] >= count)
        {
            failures.Add($"MoodBot:Discord:ShardIds must all be less than ShardCount ({count}); {shardIds[^1]} is not.");
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
