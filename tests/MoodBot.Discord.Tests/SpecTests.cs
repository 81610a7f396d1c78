using System.Text.Json;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>The spec checker itself must reject what Discord would reject, or the fake proves nothing.</summary>
public sealed class SpecTests
{
    [Fact]
    public void Check_ValidDeferredCallback_Passes() =>
        Assert.Null(DiscordSpec.Shared.Check("POST", "/interactions/1/tok/callback", "application/json", Json("""{"type":5}""")));

    [Fact]
    public void Check_UnknownCallbackType_Fails() =>
        Assert.NotNull(DiscordSpec.Shared.Check("POST", "/interactions/1/tok/callback", "application/json", Json("""{"type":42}""")));

    [Fact]
    public void Check_ButtonWithoutStyle_Fails() =>
        Assert.NotNull(DiscordSpec.Shared.Check("PATCH", "/webhooks/1/tok/messages/@original", "application/json",
            Json("""{"components":[{"type":1,"components":[{"type":2,"label":"x","custom_id":"a"}]}]}""")));

    [Fact]
    public void Check_TooLongEmbedTitle_Fails() =>
        Assert.NotNull(DiscordSpec.Shared.Check("PATCH", "/webhooks/1/tok/messages/@original", "application/json",
            Json($$"""{"embeds":[{"title":"{{new string('x', 300)}}"}]}""")));

    [Fact]
    public void Check_UnknownPath_Fails() =>
        Assert.NotNull(DiscordSpec.Shared.Check("POST", "/interactions/1/tok/callbackz", "application/json", Json("""{"type":5}""")));

    [Fact]
    public void Check_CommandOptionWithoutDescription_Fails() =>
        Assert.NotNull(DiscordSpec.Shared.Check("PUT", "/applications/1/commands", "application/json",
            Json("""[{"name":"x","description":"d","options":[{"type":11,"name":"photo"}]}]""")));

    private static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();
}
