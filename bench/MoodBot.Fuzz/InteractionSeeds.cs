namespace MoodBot.Fuzz;

/// <summary>Valid interaction payloads of every kind the bot handles, shaped like Discord's (API v10 docs), written by hand.</summary>
public static class InteractionSeeds
{
    private const string Member = """{"user":{"id":"80351110224678912","username":"nelly","global_name":"Nelly","avatar":null},"roles":[],"joined_at":"2015-04-26T06:26:56.936000+00:00","permissions":"2147483647","deaf":false,"mute":false}""";

    private const string Attachment = """{"id":"1189000000000000001","filename":"me.jpg","size":184233,"url":"https://cdn.discordapp.com/ephemeral-attachments/1/2/me.jpg?ex=65&is=65&hm=ab","proxy_url":"https://media.discordapp.net/ephemeral-attachments/1/2/me.jpg?ex=65","content_type":"image/jpeg","width":1920,"height":1080,"ephemeral":true}""";

    public static IEnumerable<string> All()
    {
        yield return """{"id":"1189000000000000000","application_id":"1188000000000000000","type":1,"token":"tok","version":1,"user":{"id":"1","username":"discord"}}""";
        yield return MoodMusic("""[{"name":"photo","type":11,"value":"1189000000000000001"}]""", Attachment);
        yield return MoodMusic(
            """[{"name":"photo","type":11,"value":"1189000000000000001"},{"name":"mood","type":3,"value":"happy"},{"name":"mode","type":3,"value":"lift"},{"name":"count","type":4,"value":12},{"name":"playlist","type":5,"value":true}]""",
            Attachment);
        yield return MoodMusic("""[{"name":"photo","type":11,"value":"1189000000000000001"}]""",
            Attachment.Replace("\"size\":184233", "\"size\":26214400", StringComparison.Ordinal).Replace(",\"ephemeral\":true", string.Empty, StringComparison.Ordinal));
        // DM: no member, a top-level user; and an attachment without the optional fields.
        yield return """{"id":"1189000000000000002","application_id":"1188000000000000000","type":2,"token":"aW50ZXJhY3Rpb24","version":1,"channel_id":"3","user":{"id":"80351110224678912","username":"nelly"},"data":{"id":"1188","name":"moodmusic","type":1,"options":[{"name":"photo","type":11,"value":"9"}],"resolved":{"attachments":{"9":{"id":"9","url":"https://cdn.discordapp.com/a/b.png","size":10}}}},"locale":"en-GB","app_permissions":"0","entitlements":[],"authorizing_integration_owners":{"1":"80351110224678912"},"context":1}""";
        foreach (var name in new[] { "link", "unlink", "help" })
        {
            yield return $$$"""{"id":"1189000000000000003","application_id":"1188000000000000000","type":2,"token":"t","version":1,"guild_id":"2","channel_id":"3","member":{{{Member}}},"data":{"id":"1","name":"{{{name}}}","type":1}}""";
        }

        foreach (var custom in new[] { "mm:s:0:10:80351110224678912:ff000000000000", "mm:m:1:5:80351110224678912:10203040506070", "mm:l:0:20:1:00000000000001" })
        {
            yield return $$$"""{"id":"1189000000000000004","application_id":"1188000000000000000","type":3,"token":"t","version":1,"guild_id":"2","channel_id":"3","member":{{{Member}}},"data":{"custom_id":"{{{custom}}}","component_type":2},"message":{"id":"1189000000000000005","channel_id":"3","content":"","embeds":[{"title":"Happy","description":"1. [Song](https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC) — Artist\n2. [Other](https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b) — B","color":16776960}],"interaction_metadata":{"id":"1","type":2,"user":{"id":"80351110224678912"}},"components":[]}}""";
        }

        yield return """{"id":"1189000000000000006","application_id":"1188000000000000000","type":4,"token":"t","version":1,"data":{"id":"1","name":"moodmusic","options":[{"name":"mood","type":3,"value":"ha","focused":true}]}}""";
        yield return """{"id":"1189000000000000007","application_id":"1188000000000000000","type":5,"token":"t","version":1,"data":{"custom_id":"modal","components":[]}}""";
    }

    private static string MoodMusic(string options, string attachment) =>
        $$$$"""{"id":"1189000000000000001","application_id":"1188000000000000000","type":2,"token":"aW50ZXJhY3Rpb24","version":1,"guild_id":"2","channel_id":"3","member":{{{{Member}}}},"data":{"id":"1188000000000000009","name":"moodmusic","type":1,"options":{{{{options}}}},"resolved":{"attachments":{"1189000000000000001":{{{{attachment}}}}}}},"locale":"en-US","guild_locale":"en-US","app_permissions":"2147483647","entitlements":[]}""";
}
