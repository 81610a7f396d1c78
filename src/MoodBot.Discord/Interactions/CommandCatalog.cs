using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Rest;

namespace MoodBot.Discord.Interactions;

/// <summary>The slash and context-menu commands, registered at start with one bulk overwrite (so removed commands disappear too).</summary>
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
            Name = MoodMusicCommand.Name,
            Description = "Music for the mood in your photo",
            Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall,
            Options =
            [
                new() { Type = CommandOption.AttachmentType, Name = "photo", Description = "A photo with one or more faces", Required = true },
                new()
                {
                    Type = CommandOption.String, Name = "mood", Description = "Skip detection and pick the mood yourself",
                    Choices = Emotions.All.Select(e => new CommandChoice(e.Name(), e.Name())).ToList(),
                },
                new()
                {
                    Type = CommandOption.String, Name = "mode", Description = "Match the mood, or lift it",
                    Choices = [new("match", "match"), new("lift", "lift")],
                },
                new()
                {
                    Type = CommandOption.Integer, Name = "count", Description = "How many tracks (5–20)",
                    MinValue = MoodReply.MinCount, MaxValue = MoodReply.MaxCount,
                },
                new() { Type = CommandOption.Boolean, Name = "playlist", Description = "Also save them as a Spotify playlist" },
            ],
        },
        // Context-menu commands carry no description (Discord requires it empty) and no options.
        new() { Name = PhotoMessageCommand.Name, Type = PhotoMessageCommand.MessageCommandType, Description = string.Empty, Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall },
        new() { Name = LinkCommand.Name, Description = "Link your Spotify account (to save playlists)", Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall },
        new() { Name = UnlinkCommand.Name, Description = "Unlink your Spotify account", Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall },
        new() { Name = ForgetMeCommand.Name, Description = "Delete everything MoodBot keeps about you", Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall },
        new()
        {
            // Guild installs only: settings belong to a server, and a member's own install has none.
            Name = SettingsCommand.Name, Description = "View or change MoodBot's settings for this server",
            Contexts = [0], IntegrationTypes = [0], DefaultMemberPermissions = SettingsCommand.ManageGuild,
            Options =
            [
                new() { Type = CommandOption.SubCommand, Name = "view", Description = "Show this server's settings" },
                new()
                {
                    Type = CommandOption.SubCommand, Name = "set", Description = "Change the cooldown, default mode and count, or reply visibility",
                    Options =
                    [
                        new()
                        {
                            Type = CommandOption.Integer, Name = "cooldown", Description = "Seconds a member waits between two requests (0–3600)",
                            MinValue = 0, MaxValue = GuildSettings.MaxCooldownSeconds,
                        },
                        new()
                        {
                            Type = CommandOption.String, Name = "mode", Description = "Default mode when a member doesn't pick one",
                            Choices = [new("match", "match"), new("lift", "lift")],
                        },
                        new()
                        {
                            Type = CommandOption.Integer, Name = "count", Description = "Default number of tracks (5–20)",
                            MinValue = MoodReply.MinCount, MaxValue = MoodReply.MaxCount,
                        },
                        new()
                        {
                            Type = CommandOption.String, Name = "replies", Description = "Replies public or private (when no public channels are listed)",
                            Choices = [new("public", "public"), new("private", "private")],
                        },
                    ],
                },
                new()
                {
                    Type = CommandOption.SubCommand, Name = "add-public-channel", Description = "Answer publicly in a channel (privately everywhere else)",
                    Options = [new() { Type = CommandOption.Channel, Name = "channel", Description = "A text channel", Required = true, ChannelTypes = [0, 5] }],
                },
                new()
                {
                    Type = CommandOption.SubCommand, Name = "remove-public-channel", Description = "Stop answering publicly in a channel",
                    Options = [new() { Type = CommandOption.Channel, Name = "channel", Description = "A text channel", Required = true, ChannelTypes = [0, 5] }],
                },
                new() { Type = CommandOption.SubCommand, Name = "reset", Description = "Go back to the bot's defaults" },
            ],
        },
        new() { Name = HelpCommand.Name, Description = "What MoodBot does and what it keeps", Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall },
    ];
}
