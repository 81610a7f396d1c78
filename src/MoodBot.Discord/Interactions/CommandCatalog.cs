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
        new() { Name = HelpCommand.Name, Description = "What MoodBot does and what it keeps", Contexts = Everywhere, IntegrationTypes = GuildAndUserInstall },
    ];
}
