using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Resources;
using MoodBot.Discord.Tests.Fakes;

namespace MoodBot.Discord.Tests;

/// <summary>
/// Every reply and command text exists in every shipped language, and a member's <c>locale</c> decides which one they
/// read — checked on the resources themselves and through the fake Discord.
/// </summary>
public sealed partial class LocalizationTests : BotTestBase
{
    /// <summary>The neutral (English) resources: the keys every culture must translate.</summary>
    private static Dictionary<string, string> Neutral() => Entries(CultureInfo.InvariantCulture, tryParents: true)!;

    public static TheoryData<string> Cultures => new(ReplyCulture.Shipped.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cultures))]
    public void Resources_EveryNeutralKey_TranslatedWithTheSamePlaceholders(string culture)
    {
        var neutral = Neutral();
        Assert.True(neutral.Count > 100, $"only {neutral.Count} neutral strings — is the resource file embedded?");
        // tryParents: false — the culture's own file, so an untranslated key can't hide behind the English fallback.
        var translated = Entries(CultureInfo.GetCultureInfo(culture), tryParents: false);
        Assert.NotNull(translated);

        var missing = neutral.Keys.Where(k => !translated.TryGetValue(k, out var t) || string.IsNullOrWhiteSpace(t)).ToList();
        Assert.True(missing.Count == 0, $"{culture} lacks: {string.Join(", ", missing)}");
        var extra = translated.Keys.Except(neutral.Keys).ToList();
        Assert.True(extra.Count == 0, $"{culture} has keys English doesn't: {string.Join(", ", extra)}");
        var broken = neutral.Where(n => !Placeholders(n.Value).SetEquals(Placeholders(translated[n.Key]))).Select(n => n.Key).ToList();
        Assert.True(broken.Count == 0, $"{culture} placeholders differ from English in: {string.Join(", ", broken)}");
    }

    [Fact]
    public void Placeholders_CheckCatchesADroppedArgument() =>
        Assert.False(Placeholders("Saved {0} tracks to \"{1}\".").SetEquals(Placeholders("{0} Titel gespeichert.")));

    [Fact]
    public void Catalog_EveryLocalizedNameAndDescription_FollowsDiscordsRules()
    {
        foreach (var command in CommandCatalog.All)
        {
            Assert.Equal(ReplyCulture.Translated.Keys.Order(), command.NameLocalizations!.Keys.Order());
            foreach (var (locale, name) in command.NameLocalizations!)
            {
                // Slash commands: lower case, no spaces; context-menu names may have both (docs: application command naming).
                Assert.True(command.Type != 1 || (ChatInputName().IsMatch(name) && !name.Any(char.IsUpper)), $"{locale}: '{name}'");
                Assert.InRange(name.Length, 1, 32);
            }

            Assert.All(command.DescriptionLocalizations?.Values ?? [], d => Assert.InRange(d.Length, 1, 100));
            CheckOptions(command.Options ?? []);
        }
    }

    [Theory]
    [InlineData("de", "Du siehst fröhlich aus", "In Spotify speichern", "Sicherheit")]
    [InlineData("fr", "Tu as l'air heureux", "Enregistrer sur Spotify", "Confiance")]
    [InlineData("es-ES", "Pareces feliz", "Guardar en Spotify", "Confianza")]
    [InlineData("es-419", "Pareces feliz", "Guardar en Spotify", "Confianza")]
    [InlineData("pt-BR", "Você parece feliz", "Salvar no Spotify", "Confiança")]
    [InlineData("en-US", "You look happy", "Save to Spotify", "Confidence")]
    [InlineData("ja", "You look happy", "Save to Spotify", "Confidence")]
    public async Task MoodMusic_MemberLocale_ReplyInTheirLanguage(string locale, string title, string saveButton, string confidenceField)
    {
        var interaction = Payloads.MoodMusic(Fake.CdnUrl());
        interaction["locale"] = locale;
        await Send(interaction);

        var payload = (await EditOf(interaction)).Json!.Value;

        var embed = payload.GetProperty("embeds")[0];
        Assert.EndsWith(title, embed.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(confidenceField, embed.GetProperty("fields")[0].GetProperty("name").GetString());
        Assert.Equal(saveButton, payload.GetProperty("components")[0].GetProperty("components")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task MoodMusic_GermanMember_WholeReplyAndItsErrorsInGerman()
    {
        var interaction = Payloads.MoodMusic(Fake.CdnUrl());
        interaction["locale"] = "de";
        await Send(interaction);
        var payload = (await EditOf(interaction)).Json!.Value;

        var embed = payload.GetProperty("embeds")[0];
        var fields = embed.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("value").GetString()!);
        Assert.Equal(["Sicherheit", "2 Gesichter", "Die Gesichter sind sich uneinig", "Emotionen", "Ziel", "Modus"], fields.Keys);
        Assert.EndsWith("– die Stimmung mischt sie.", fields["Die Gesichter sind sich uneinig"], StringComparison.Ordinal);
        Assert.Contains("Freude", fields["Emotionen"], StringComparison.Ordinal);
        Assert.StartsWith("Valenz **", fields["Ziel"], StringComparison.Ordinal);
        Assert.Equal("passend", fields["Modus"]);
        Assert.Equal("Dein Foto wurde nur im Speicher ausgewertet und nicht behalten.", embed.GetProperty("footer").GetProperty("text").GetString());
        Assert.Equal(["In Spotify speichern", "Mehr davon", "Heb meine Stimmung", "▶ Auf Spotify abspielen"],
            payload.GetProperty("components")[0].GetProperty("components").EnumerateArray().Select(b => b.GetProperty("label").GetString()));
        Assert.StartsWith("Stimmungsdiagramm. Stärkste Emotionen: Freude", payload.GetProperty("attachments")[0].GetProperty("description").GetString(),
            StringComparison.Ordinal);

        // A problem answer (no face) in German too, as a private reply.
        Bot.Analyzer.Analyze = _ => FakePhotoAnalyzer.WithFaces();
        var second = Payloads.MoodMusic(Fake.CdnUrl());
        second["locale"] = "de";
        await Send(second);
        var followup = (await FollowupOf(second)).Json!.Value;
        Assert.Equal(64, followup.GetProperty("flags").GetInt32());
        var error = followup.GetProperty("content").GetString();
        Assert.Equal(Strings.ResourceManager.GetString(nameof(Strings.NoFace), CultureInfo.GetCultureInfo("de")), error);
        Assert.StartsWith("Ich konnte auf dem Foto kein Gesicht finden.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_FrenchMember_ReadsFrench()
    {
        var help = Payloads.Command("help");
        help["locale"] = "fr";
        await Send(help);

        var callback = (await CallbackOf(help)).Json!.Value;
        Assert.Equal("MoodBot — de la musique pour l'humeur de ta photo",
            callback.GetProperty("data").GetProperty("embeds")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task Start_BulkOverwrite_CarriesLocalizedNamesDescriptionsAndChoices()
    {
        var put = await Fake.NextRequestAsync(r => r.Method == "PUT");

        var moodmusic = put.Json!.Value[0];
        Assert.Equal("stimmungsmusik", moodmusic.GetProperty("name_localizations").GetProperty("de").GetString());
        Assert.Equal("Música para o humor da sua foto", moodmusic.GetProperty("description_localizations").GetProperty("pt-BR").GetString());
        var mode = moodmusic.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "mode");
        Assert.Equal("modo", mode.GetProperty("name_localizations").GetProperty("es-ES").GetString());
        var lift = mode.GetProperty("choices").EnumerateArray().Single(c => c.GetProperty("value").GetString() == "lift");
        Assert.Equal("remonter", lift.GetProperty("name_localizations").GetProperty("fr").GetString());
        Assert.Equal("Musik zu diesem Foto", put.Json.Value[1].GetProperty("name_localizations").GetProperty("de").GetString());
        Assert.False(put.Json.Value[1].TryGetProperty("description_localizations", out _)); // context-menu commands have no description
    }

    private static void CheckOptions(IReadOnlyList<Rest.CommandOption> options)
    {
        foreach (var locale in ReplyCulture.Translated.Keys)
        {
            // Option names must stay unique per level in every language, or Discord refuses the whole overwrite.
            var names = options.Select(o => o.NameLocalizations![locale]).ToList();
            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
            Assert.All(names, n => Assert.True(ChatInputName().IsMatch(n) && !n.Any(char.IsUpper), $"{locale}: '{n}'"));
        }

        foreach (var option in options)
        {
            Assert.All(option.DescriptionLocalizations!.Values, d => Assert.InRange(d.Length, 1, 100));
            Assert.All(option.Choices ?? [], c => Assert.All(c.NameLocalizations!.Values, n => Assert.InRange(n.Length, 1, 100)));
            CheckOptions(option.Options ?? []);
        }
    }

    private static Dictionary<string, string>? Entries(CultureInfo culture, bool tryParents)
    {
        // Not disposed: the ResourceManager caches and owns the set, and the running bot reads the same one.
        var set = Strings.ResourceManager.GetResourceSet(culture, createIfNotExists: true, tryParents: tryParents);
        return set?.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => e.Value as string ?? string.Empty, StringComparer.Ordinal);
    }

    private static HashSet<string> Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Value)];

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    /// <summary>Discord's pattern for CHAT_INPUT command and option names.</summary>
    [GeneratedRegex(@"^[-_\p{L}\p{N}\p{IsDevanagari}\p{IsThai}]{1,32}$")]
    private static partial Regex ChatInputName();
}
