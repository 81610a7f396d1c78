using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Resources;
using MoodBot.Discord.Rest;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// The slash and context-menu commands, registered at start with one bulk overwrite (so removed commands disappear too).
/// Names, descriptions and choices carry Discord's <c>name_localizations</c> / <c>description_localizations</c> from
/// the same resources as the replies; interactions still arrive with the English names, so handlers match on those.
/// </summary>
internal static class CommandCatalog
{
    /// <summary>
    /// Server and account installs: a member who adds MoodBot to their account can use it in any server, its DM and
    /// group DMs, even where the bot user is not a member — interactions are answered through their webhook, which
    /// needs no bot presence.
    /// </summary>
    internal static readonly IReadOnlyList<int> GuildAndUserInstall = [0, 1];

    /// <summary>A server, the bot's DM, and other DMs / group DMs (the last only reachable through a user install).</summary>
    internal static readonly IReadOnlyList<int> Everywhere = [0, 1, 2];

    public static IReadOnlyList<ApplicationCommand> All { get; } =
    [
        new()
        {
            Name = MoodMusicCommand.Name, NameLocalizations = L(nameof(Strings.Command_moodmusic_Name)),
            Description = "Music for the mood in your photo", DescriptionLocalizations = L(nameof(Strings.Command_moodmusic_Description)),
            Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall,
            Options =
            [
                Option(CommandOption.AttachmentType, "photo", "A photo with one or more faces", nameof(Strings.Option_photo_Name),
                    nameof(Strings.Option_photo_Description)) with { Required = true },
                Option(CommandOption.String, "mood", "Skip detection and pick the mood yourself", nameof(Strings.Option_mood_Name),
                    nameof(Strings.Option_mood_Description)) with
                {
                    Choices = Emotions.All.Select(e => new CommandChoice(e.Name(), e.Name(), L("Emotion_" + e.Name()))).ToList(),
                },
                Option(CommandOption.String, "mode", "Match the mood, or lift it", nameof(Strings.Option_mode_Name),
                    nameof(Strings.Option_mode_Description)) with { Choices = ModeChoices },
                Option(CommandOption.Integer, "count", "How many tracks (5–20)", nameof(Strings.Option_count_Name),
                    nameof(Strings.Option_count_Description)) with { MinValue = MoodReply.MinCount, MaxValue = MoodReply.MaxCount },
                Option(CommandOption.Boolean, "playlist", "Also save them as a Spotify playlist", nameof(Strings.Option_playlist_Name),
                    nameof(Strings.Option_playlist_Description)),
            ],
        },
        // Context-menu commands carry no description (Discord requires it empty) and no options.
        new()
        {
            Name = PhotoMessageCommand.Name, NameLocalizations = L(nameof(Strings.Command_photo_message_Name)),
            Type = PhotoMessageCommand.MessageCommandType, Description = string.Empty, Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall,
        },
        Simple(LinkCommand.Name, "Link your Spotify account (to save playlists and play)", nameof(Strings.Command_link_Name),
            nameof(Strings.Command_link_Description)),
        Simple(UnlinkCommand.Name, "Unlink your Spotify account", nameof(Strings.Command_unlink_Name), nameof(Strings.Command_unlink_Description)),
        Simple(ForgetMeCommand.Name, "Delete everything MoodBot keeps about you", nameof(Strings.Command_forget_me_Name),
            nameof(Strings.Command_forget_me_Description)),
        new()
        {
            // Guild installs only: settings belong to a server, and a member's own install has none.
            Name = SettingsCommand.Name, NameLocalizations = L(nameof(Strings.Command_settings_Name)),
            Description = "View or change MoodBot's settings for this server", DescriptionLocalizations = L(nameof(Strings.Command_settings_Description)),
            Contexts = [0], IntegrationTypes = [0], DefaultMemberPermissions = SettingsCommand.ManageGuild,
            Options =
            [
                Option(CommandOption.SubCommand, "view", "Show this server's settings", nameof(Strings.Sub_view_Name), nameof(Strings.Sub_view_Description)),
                Option(CommandOption.SubCommand, "set", "Change the cooldown, default mode and count, or reply visibility", nameof(Strings.Sub_set_Name),
                    nameof(Strings.Sub_set_Description)) with
                {
                    Options =
                    [
                        Option(CommandOption.Integer, "cooldown", "Seconds a member waits between two requests (0–3600)", nameof(Strings.Option_cooldown_Name),
                            nameof(Strings.Option_cooldown_Description)) with { MinValue = 0, MaxValue = GuildSettings.MaxCooldownSeconds },
                        Option(CommandOption.String, "mode", "Default mode when a member doesn't pick one", nameof(Strings.Option_mode_Name),
                            nameof(Strings.Option_default_mode_Description)) with { Choices = ModeChoices },
                        Option(CommandOption.Integer, "count", "Default number of tracks (5–20)", nameof(Strings.Option_count_Name),
                            nameof(Strings.Option_default_count_Description)) with { MinValue = MoodReply.MinCount, MaxValue = MoodReply.MaxCount },
                        Option(CommandOption.String, "replies", "Replies public or private (when no public channels are listed)",
                            nameof(Strings.Option_replies_Name), nameof(Strings.Option_replies_Description)) with
                        {
                            Choices =
                            [
                                new("public", "public", L(nameof(Strings.Choice_replies_public))),
                                new("private", "private", L(nameof(Strings.Choice_replies_private))),
                            ],
                        },
                    ],
                },
                Option(CommandOption.SubCommand, "add-public-channel", "Answer publicly in a channel (privately everywhere else)",
                    nameof(Strings.Sub_add_channel_Name), nameof(Strings.Sub_add_channel_Description)) with { Options = [ChannelOption()] },
                Option(CommandOption.SubCommand, "remove-public-channel", "Stop answering publicly in a channel",
                    nameof(Strings.Sub_remove_channel_Name), nameof(Strings.Sub_remove_channel_Description)) with { Options = [ChannelOption()] },
                Option(CommandOption.SubCommand, "reset", "Go back to the bot's defaults", nameof(Strings.Sub_reset_Name), nameof(Strings.Sub_reset_Description)),
            ],
        },
        Simple(HelpCommand.Name, "What MoodBot does and what it keeps", nameof(Strings.Command_help_Name), nameof(Strings.Command_help_Description)),
    ];

    private static IReadOnlyList<CommandChoice> ModeChoices =>
        [new("match", "match", L(nameof(Strings.Choice_mode_match))), new("lift", "lift", L(nameof(Strings.Choice_mode_lift)))];

    /// <summary>One resource in every translated Discord locale (the English text is the command's own name or description).</summary>
    internal static IReadOnlyDictionary<string, string> L(string key) =>
        ReplyCulture.Translated.ToDictionary(t => t.Key,
            t => Strings.ResourceManager.GetString(key, t.Value) ?? throw new InvalidOperationException($"No resource '{key}' for {t.Key}."),
            StringComparer.Ordinal);

    private static ApplicationCommand Simple(string name, string description, string nameKey, string descriptionKey) => new()
    {
        Name = name, NameLocalizations = L(nameKey), Description = description, DescriptionLocalizations = L(descriptionKey),
        Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall,
    };

    private static CommandOption Option(int type, string name, string description, string nameKey, string descriptionKey) => new()
    {
        Type = type, Name = name, NameLocalizations = L(nameKey), Description = description, DescriptionLocalizations = L(descriptionKey),
    };

    private static CommandOption ChannelOption() =>
        Option(CommandOption.Channel, "channel", "A text channel", nameof(Strings.Option_channel_Name), nameof(Strings.Option_channel_Description)) with
        {
            Required = true, ChannelTypes = [0, 5],
        };
}
