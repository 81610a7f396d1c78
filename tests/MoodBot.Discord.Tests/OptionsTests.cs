using Microsoft.Extensions.Options;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

public sealed class OptionsTests
{
    [Fact]
    public async Task Start_NoToken_RunsWithoutDiscordAndSaysSo()
    {
        await using var fake = await FakeDiscord.StartAsync();
        await using (var bot = await BotHost.StartAsync(new Dictionary<string, string?> { ["MoodBot:Discord:ApiBaseUrl"] = fake.ApiBase.ToString() }))
        {
            await GatewayTests.WaitUntilAsync(() => bot.Logs.GetSnapshot().Any(r => r.Id.Id == 5000));
            Assert.False(bot.Status.Enabled);
            Assert.False(bot.Status.IsReady);
        }

        Assert.Empty(fake.Requests);
        Assert.True(await fake.NoConnectionWithinAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Theory]
    [InlineData("MoodBot:Discord:ApplicationId", "", "ApplicationId")]
    [InlineData("MoodBot:Discord:ShardId", "3", "ShardId")]
    [InlineData("MoodBot:Discord:Mode", "Http", "PublicKey")]
    [InlineData("MoodBot:Discord:CdnHosts:0", "https://cdn.discordapp.com/attachments", "CdnHosts")]
    public async Task Start_InvalidConfiguration_FailsWithAClearMessage(string key, string value, string mentioned)
    {
        var config = new Dictionary<string, string?>
        {
            ["MoodBot:Discord:Token"] = "t",
            ["MoodBot:Discord:ApplicationId"] = "1",
            ["MoodBot:Discord:ShardCount"] = "2",
            ["MoodBot:Discord:ShardId"] = "0",
            ["MoodBot:Discord:ApiBaseUrl"] = "http://127.0.0.1:9/api/v10",
            [key] = value,
        };

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => BotHost.StartAsync(config));

        Assert.Contains(mentioned, ex.Message, StringComparison.Ordinal);
    }
}
