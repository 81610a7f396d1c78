using System.Globalization;
using System.Numerics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Rest;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// <c>/moodbot-settings view | set | add-public-channel | remove-public-channel | reset</c>, for members with Manage
/// Server. Discord hides the command from everyone else (<c>default_member_permissions</c>); changes are checked
/// against the member's permissions here too, because a server can hand the command to other roles and the
/// interaction payload is all we know about who sent it.
/// </summary>
internal sealed class SettingsCommand(IGuildSettingsStore store, IOptions<DiscordOptions> options, ILogger<SettingsCommand> logger) : IInteractionHandler
{
    public const string Name = "moodbot-settings";

    /// <summary>MANAGE_GUILD (1 &lt;&lt; 5).</summary>
    public const long ManageGuild = 1L << 5;

    private const long Administrator = 1L << 3;

    public bool CanHandle(Interaction interaction) => interaction.Type == InteractionType.ApplicationCommand && interaction.Data?.Name == Name;

    public async Task HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var interaction = context.Interaction;
        if (string.IsNullOrEmpty(interaction.GuildId))
        {
            throw new InteractionProblemException(ProblemKind.Unavailable, Strings.SettingsOnlyInServer);
        }

        var sub = interaction.Data?.Options?.FirstOrDefault(o => o is { Type: CommandOption.SubCommand });
        if (sub is null)
        {
            throw new InteractionProblemException(ProblemKind.Unavailable, Strings.SettingsPickSub);
        }

        if (sub.Name != "view" && !CanManage(interaction.MemberPermissions))
        {
            throw new InteractionProblemException(ProblemKind.Unavailable, Strings.SettingsNeedManage);
        }

        // Every subcommand reads or writes the database: defer privately so a slow one can't miss the 3-second window.
        await context.DeferAsync(ephemeral: true, cancellationToken).ConfigureAwait(false);
        var current = await store.GetAsync(interaction.GuildId, cancellationToken).ConfigureAwait(false) ?? new GuildSettings(interaction.GuildId);
        var (updated, note) = Apply(current, sub);
        if (updated is not null)
        {
            await store.SaveAsync(updated, cancellationToken).ConfigureAwait(false);
            Log.GuildSettingsChanged(logger, sub.Name);
            current = updated;
        }

        var text = (note is null ? string.Empty : note + "\n\n") + Describe(current, options.Value.CooldownSeconds);
        await context.EditOriginalAsync(new MessagePayload { Content = text }, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The new settings (null: nothing to save) and a line saying what changed.</summary>
    internal static (GuildSettings? Updated, string? Note) Apply(GuildSettings current, InteractionOption sub)
    {
        // Untrusted payload: a repeated option name must not throw, so the first one wins.
        var opts = (sub.Options ?? []).Where(o => o?.Name is not null).GroupBy(o => o.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        switch (sub.Name)
        {
            case "view":
                return (null, null);
            case "reset":
                return (new GuildSettings(current.GuildId), Strings.SettingsReset);
            case "set":
                var s = current;
                if (Int(opts, "cooldown") is { } cooldown)
                {
                    s = s with { CooldownSeconds = Math.Clamp(cooldown, 0, GuildSettings.MaxCooldownSeconds) };
                }

                if (Text(opts, "mode") is { } mode)
                {
                    s = s with { DefaultMode = mode == "lift" ? RecommendationMode.Lift : RecommendationMode.Match };
                }

                if (Int(opts, "count") is { } count)
                {
                    s = s with { DefaultCount = Math.Clamp(count, MoodReply.MinCount, MoodReply.MaxCount) };
                }

                if (Text(opts, "replies") is { } replies)
                {
                    s = s with { RepliesPublic = replies != "private" };
                }

                return s == current ? (null, Strings.SettingsNothing) : (s, Strings.SettingsSaved);
            case "add-public-channel" when Text(opts, "channel") is { } channel && IsSnowflake(channel):
                if (current.Channels.Contains(channel, StringComparer.Ordinal))
                {
                    return (null, ReplyCulture.Format(Strings.SettingsAlreadyPublic, Mention(channel)));
                }

                if (current.Channels.Count >= GuildSettings.MaxPublicChannels)
                {
                    return (null, ReplyCulture.Format(Strings.SettingsChannelLimit, GuildSettings.MaxPublicChannels));
                }

                return (current with { PublicChannelIds = [.. current.Channels, channel] }, ReplyCulture.Format(Strings.SettingsNowPublic, Mention(channel)));
            case "remove-public-channel" when Text(opts, "channel") is { } channel && IsSnowflake(channel):
                return current.Channels.Contains(channel, StringComparer.Ordinal)
                    ? (current with { PublicChannelIds = current.Channels.Where(c => c != channel).ToList() }, ReplyCulture.Format(Strings.SettingsNoLongerPublic, Mention(channel)))
                    : (null, ReplyCulture.Format(Strings.SettingsWasNotPublic, Mention(channel)));
            default:
                return (null, Strings.SettingsUnknown);
        }
    }

    /// <summary>The settings as the member reads them, saying which values are the bot's defaults.</summary>
    internal static string Describe(GuildSettings s, int botCooldownSeconds)
    {
        var sb = new StringBuilder(Strings.SettingsHeader).Append('\n');
        sb.Append(ReplyCulture.Format(Strings.SettingsCooldown, s.CooldownSeconds ?? botCooldownSeconds, Default(s.CooldownSeconds))).Append('\n');
        sb.Append(ReplyCulture.Format(Strings.SettingsMode, s.DefaultMode == RecommendationMode.Lift ? Strings.ModeNameLift : Strings.ModeMatch,
            Default(s.DefaultMode))).Append('\n');
        sb.Append(ReplyCulture.Format(Strings.SettingsCount, s.DefaultCount ?? MoodReply.DefaultCount, Default(s.DefaultCount))).Append('\n');
        sb.Append(s.Channels.Count > 0
            ? ReplyCulture.Format(Strings.SettingsRepliesChannels, string.Join(", ", s.Channels.Select(Mention)))
            : s.RepliesPublic == false ? Strings.SettingsRepliesPrivate : ReplyCulture.Format(Strings.SettingsRepliesPublic, Default(s.RepliesPublic)));
        return sb.ToString();
    }

    private static string Default<T>(T? value)
        where T : struct => value is null ? Strings.SettingsBotDefault : string.Empty;

    private static string Mention(string channelId) => $"<#{channelId}>";

    private static bool CanManage(string? permissions) =>
        BigInteger.TryParse(permissions, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) &&
        ((bits & ManageGuild) != 0 || (bits & Administrator) != 0);

    private static bool IsSnowflake(string s) => s.Length is > 0 and <= 20 && s.All(char.IsAsciiDigit);

    private static int? Int(Dictionary<string, InteractionOption> opts, string name) =>
        opts.TryGetValue(name, out var o) && o.Value.ValueKind == System.Text.Json.JsonValueKind.Number && o.Value.TryGetInt32(out var n) ? n : null;

    private static string? Text(Dictionary<string, InteractionOption> opts, string name) =>
        opts.TryGetValue(name, out var o) ? InteractionParser.StringOrNull(o.Value) : null;
}
