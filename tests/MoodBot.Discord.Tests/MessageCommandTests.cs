using System.Text.Json.Nodes;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>"Music for this photo" (message context menu) end to end: interaction in, deferral, download, edited reply.</summary>
public sealed class MessageCommandTests : BotTestBase
{
    [Fact]
    public async Task MessageCommand_ImageAttachment_DefersThenEditsWithTracks()
    {
        var interaction = Payloads.MessageCommand([Payloads.ImageAttachment(Fake.CdnUrl("group.png"))]);
        await Send(interaction);

        var callback = await CallbackOf(interaction);
        var edit = await EditOf(interaction);

        Assert.Equal(5, callback.Json!.Value.GetProperty("type").GetInt32());
        Assert.False(callback.Json.Value.TryGetProperty("data", out _)); // public, like /moodmusic
        Assert.Contains("group.png", Assert.Single(Fake.CdnPaths), StringComparison.Ordinal);
        Assert.Single(Bot.Analyzer.Photos);
        var embed = edit.Json!.Value.GetProperty("embeds")[0];
        Assert.Contains("happy", embed.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, embed.GetProperty("description").GetString()!.Split('\n').Length);
        Assert.True(edit.Files.ContainsKey("files[0]"));
        Assert.Equal("discord:" + Payloads.UserId, Assert.Single(Bot.Recommender.Requests).UserKey);
    }

    [Fact]
    public async Task MessageCommand_FileBeforeTheImage_SkipsTheNonImage()
    {
        var pdf = Payloads.ImageAttachment(Fake.CdnUrl("notes.pdf"), "application/pdf");
        pdf["id"] = "899";
        var interaction = Payloads.MessageCommand([pdf, Payloads.ImageAttachment(Fake.CdnUrl("group.png"))]);
        await Send(interaction);

        await EditOf(interaction);

        Assert.Contains("group.png", Assert.Single(Fake.CdnPaths), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageCommand_LinkPreviewImage_DownloadsTheMediaProxyCopy()
    {
        // A link to another site: Discord's embed points at that site and keeps its own proxied copy on the CDN.
        var embed = new JsonObject
        {
            ["type"] = "image",
            ["url"] = "https://example.org/party.jpg",
            ["thumbnail"] = new JsonObject
            {
                ["url"] = "https://example.org/party.jpg",
                ["proxy_url"] = Fake.CdnUrl("external-party.png"),
                ["width"] = 640,
                ["height"] = 480,
            },
        };
        var interaction = Payloads.MessageCommand([], [embed]);
        await Send(interaction);

        var edit = await EditOf(interaction);

        Assert.Contains("external-party.png", Assert.Single(Fake.CdnPaths), StringComparison.Ordinal);
        Assert.Equal(1, edit.Json!.Value.GetProperty("embeds").GetArrayLength());
    }

    [Fact]
    public async Task MessageCommand_NoUsableImage_KindEphemeralAnswerAndNothingDownloaded()
    {
        var foreign = new JsonObject { ["type"] = "rich", ["image"] = new JsonObject { ["url"] = Fake.ForeignUrl } };
        var interaction = Payloads.MessageCommand([], [foreign]);
        await Send(interaction);

        var callback = await CallbackOf(interaction);

        var json = callback.Json!.Value;
        Assert.Equal(4, json.GetProperty("type").GetInt32());
        Assert.Equal(64, json.GetProperty("data").GetProperty("flags").GetInt32());
        Assert.Contains("couldn't find a photo in that message", json.GetProperty("data").GetProperty("content").GetString(), StringComparison.Ordinal);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Empty(Fake.CdnPaths);
        Assert.Empty(Fake.ForbiddenHits);
        Assert.Empty(Bot.Recommender.Requests);
    }

    [Fact]
    public async Task Start_RegistersTheMessageCommandInTheSameBulkOverwrite()
    {
        var put = await Fake.NextRequestAsync(r => r.Method == "PUT");

        var command = put.Json!.Value.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "Music for this photo");
        Assert.Equal(3, command.GetProperty("type").GetInt32());
        Assert.Equal(string.Empty, command.GetProperty("description").GetString());
        Assert.False(command.TryGetProperty("options", out _));
    }
}
