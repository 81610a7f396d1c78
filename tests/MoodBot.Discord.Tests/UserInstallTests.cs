using System.Text.Json.Nodes;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>
/// MoodBot installed to a member's account: both commands work in DMs, group DMs and servers the bot user is not in,
/// end to end (interaction in, deferral, edited reply with tracks), answered through the interaction webhook alone.
/// </summary>
public sealed class UserInstallTests : BotTestBase
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task MoodMusic_FromAUserInstallInADm_DefersThenEditsWithTracks(int context)
    {
        var interaction = Payloads.FromUserInstall(Payloads.MoodMusic(Fake.CdnUrl()), context);
        await Send(interaction);

        var callback = await CallbackOf(interaction);
        var edit = await EditOf(interaction);

        Assert.Equal(5, callback.Json!.Value.GetProperty("type").GetInt32());
        Assert.Contains("open.spotify.com/track/", edit.Json!.Value.GetProperty("embeds")[0].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("discord:" + Payloads.UserId, Assert.Single(Bot.Recommender.Requests).UserKey);
        AssertOnlyInteractionRoutes();
    }

    [Fact]
    public async Task MessageCommand_FromAUserInstallInAForeignServer_DefersThenEditsWithTracks()
    {
        var interaction = Payloads.InForeignServer(Payloads.MessageCommand([Payloads.ImageAttachment(Fake.CdnUrl("group.png"))]));
        await Send(interaction);

        var callback = await CallbackOf(interaction);
        var edit = await EditOf(interaction);

        Assert.Equal(5, callback.Json!.Value.GetProperty("type").GetInt32());
        Assert.Contains("happy", edit.Json!.Value.GetProperty("embeds")[0].GetProperty("title").GetString(), StringComparison.Ordinal);
        AssertOnlyInteractionRoutes();
    }

    [Fact]
    public async Task MessageCommand_FromAUserInstallInADm_DefersThenEditsWithTracks()
    {
        var interaction = Payloads.FromUserInstall(Payloads.MessageCommand([Payloads.ImageAttachment(Fake.CdnUrl("group.png"))]), 2);
        await Send(interaction);

        await CallbackOf(interaction);
        var edit = await EditOf(interaction);

        Assert.True(edit.Files.ContainsKey("files[0]"));
    }

    [Fact]
    public async Task Start_RegistersMemberCommandsForServerAndUserInstalls()
    {
        var put = await Fake.NextRequestAsync(r => r.Method == "PUT");

        foreach (var name in (string[])["moodmusic", "Music for this photo", "link", "unlink", "help"])
        {
            var command = put.Json!.Value.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
            Assert.Equal([0, 1], command.GetProperty("integration_types").EnumerateArray().Select(x => x.GetInt32()));
            Assert.Equal([0, 1, 2], command.GetProperty("contexts").EnumerateArray().Select(x => x.GetInt32()));
        }
    }

    /// <summary>Nothing but the interaction's own callback and webhook: no route that needs the bot in the server or channel.</summary>
    private void AssertOnlyInteractionRoutes() =>
        Assert.All(Fake.Requests.Where(r => r.Method != "PUT" && r.Path != "/gateway/bot"),
            r => Assert.True(r.Path.StartsWith("/interactions/", StringComparison.Ordinal) || r.Path.StartsWith("/webhooks/", StringComparison.Ordinal), r.Path));
}
