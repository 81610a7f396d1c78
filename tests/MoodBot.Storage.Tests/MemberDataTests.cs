using Microsoft.EntityFrameworkCore;
using MoodBot.Core;
using MoodBot.Storage;

namespace MoodBot.Tests;

public sealed class MemberDataEraserTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ForgetAsync_Member_DeletesTheirRowsOnlyAndCountsThem(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        await db.History.AddAsync("discord:42", Emotion.Sad, ["a"], ct);
        await db.History.AddAsync("discord:42", Emotion.Happy, ["b"], ct);
        await db.History.AddAsync("discord:7", Emotion.Happy, ["z"], ct);
        await db.Links.SaveAccountAsync(new LinkedAccount("42", "cipher", DateTimeOffset.UtcNow), ct);
        await db.Links.SaveAccountAsync(new LinkedAccount("7", "cipher", DateTimeOffset.UtcNow), ct);
        await db.Links.SaveStateAsync(new OAuthState("s42", "42", "v", DateTimeOffset.UtcNow.AddMinutes(5)), ct);
        await db.Cooldowns.TryStartAsync("42", TimeSpan.FromMinutes(5), ct);
        await db.Cooldowns.TryStartAsync("7", TimeSpan.FromMinutes(5), ct);
        // A second instance on the same database does the deleting: what it removes is gone for every instance.
        var eraser = new EfMemberDataEraser(db.Factory, db.SecondInstance().Schema);

        var deleted = await eraser.ForgetAsync("42", "discord:42", ct);

        Assert.Equal(new MemberDataDeletion(RecommendationRows: 2, SpotifyLink: true, PendingLinks: 1, CooldownRows: 1), deleted);
        Assert.Null(await db.Links.GetAccountAsync("42", ct));
        Assert.NotNull(await db.Links.GetAccountAsync("7", ct));
        Assert.Empty(await db.History.RecentTrackIdsAsync("discord:42", 10, ct));
        Assert.Equal(["z"], await db.History.RecentTrackIdsAsync("discord:7", 10, ct));
        Assert.True((await db.Cooldowns.TryStartAsync("42", TimeSpan.FromMinutes(5), ct)).Started);
        Assert.False((await db.Cooldowns.TryStartAsync("7", TimeSpan.FromMinutes(5), ct)).Started);
        Assert.Equal(MemberDataDeletion.None with { CooldownRows = 1 }, await eraser.ForgetAsync("42", "discord:42", ct));
    }
}

public sealed class GuildSettingsStoreTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SaveAsync_OnOneInstance_SeenByAnotherAndOverwritten(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var a = new EfGuildSettingsStore(db.Factory, db.Schema, db.Time);
        var b = new EfGuildSettingsStore(db.Factory, db.SecondInstance().Schema, db.Time);
        await db.Schema.EnsureAsync(ct);
        await using (var ctx = db.Factory.CreateDbContext())
        {
            // The column the settings command does not manage survives its upserts.
            ctx.GuildSettings.Add(new GuildSettingsRow { GuildId = "g1", DefaultGenre = "jazz" });
            await ctx.SaveChangesAsync(ct);
        }

        var full = new GuildSettings("g1", 90, RecommendationMode.Lift, 7, false, ["111", "222"]);
        await a.SaveAsync(full, ct);
        var seen = await b.GetAsync("g1", ct);
        await b.SaveAsync(new GuildSettings("g1", RepliesPublic: true), ct);
        var after = await a.GetAsync("g1", ct);

        Assert.Equal((90, RecommendationMode.Lift, 7, (bool?)false), (seen!.CooldownSeconds, seen.DefaultMode, seen.DefaultCount, seen.RepliesPublic));
        Assert.Equal(["111", "222"], seen.Channels);
        Assert.Equal(new GuildSettings("g1", RepliesPublic: true), after);
        Assert.Null(await a.GetAsync("g2", ct));
        await using var check = db.Factory.CreateDbContext();
        Assert.Equal("jazz", (await check.GuildSettings.SingleAsync(ct)).DefaultGenre);
    }
}
