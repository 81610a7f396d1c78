using System.Globalization;

namespace MoodBot.Discord.Replies;

/// <summary>
/// Which translation a member reads: Discord's <c>locale</c> (their client language) mapped onto the cultures MoodBot
/// ships in <c>Resources/Strings.*.resx</c>; anything else reads the English neutral resources.
/// </summary>
/// <remarks>
/// The process runs with invariant globalization, where a culture's parent is always the invariant culture, so
/// "es-419" would never fall back to "es" by itself: the mapping is explicit. <c>PredefinedCulturesOnly=false</c>
/// (Directory.Build.props) lets these cultures exist without ICU; they only select resources, and numbers keep the
/// invariant format.
/// </remarks>
internal static class ReplyCulture
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr");
    private static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es");
    private static readonly CultureInfo BrazilianPortuguese = CultureInfo.GetCultureInfo("pt-BR");

    /// <summary>Discord locale → the culture of its translation, for every translated locale (English is the default).</summary>
    public static IReadOnlyDictionary<string, CultureInfo> Translated { get; } = new Dictionary<string, CultureInfo>(StringComparer.Ordinal)
    {
        ["de"] = German,
        ["fr"] = French,
        ["es-ES"] = Spanish,
        ["es-419"] = Spanish,
        ["pt-BR"] = BrazilianPortuguese,
    };

    /// <summary>The resource cultures MoodBot ships, besides the English neutral one.</summary>
    public static IReadOnlyList<CultureInfo> Shipped { get; } = [German, French, Spanish, BrazilianPortuguese];

    public static CultureInfo For(string? discordLocale) =>
        discordLocale is not null && Translated.TryGetValue(discordLocale, out var culture) ? culture : CultureInfo.InvariantCulture;

    /// <summary>A translated pattern filled in; numbers stay invariant (see remarks).</summary>
    public static string Format(string pattern, params object?[] args) => string.Format(CultureInfo.InvariantCulture, pattern, args);
}
