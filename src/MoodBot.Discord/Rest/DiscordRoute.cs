namespace MoodBot.Discord.Rest;

/// <summary>
/// Identifies a REST route for rate limiting: Discord buckets by route template plus its "major" parameters
/// (channel, guild, or webhook id + token), so two interactions' webhooks never share a bucket.
/// </summary>
/// <param name="Template">Method and path template, e.g. <c>PATCH /webhooks/{application_id}/{token}/messages/@original</c>.</param>
/// <param name="Major">The major parameter values; never logged (they may contain interaction tokens).</param>
/// <param name="GlobalExempt">Interaction endpoints are not bound by the bot's global limit (docs: topics/rate-limits).</param>
internal sealed record DiscordRoute(string Template, string Major, bool GlobalExempt)
{
    public static readonly HttpRequestOptionsKey<DiscordRoute> OptionKey = new("MoodBot.Discord.Route");

    public string Key => Template + "|" + Major;
}
