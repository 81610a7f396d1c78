using Microsoft.EntityFrameworkCore;
using MoodBot.Core;

namespace MoodBot.Storage;

/// <summary>
/// The cooldown decision as one conditional upsert (SQLite ≥ 3.35 and PostgreSQL share the syntax): the row is written
/// only when no cooldown is running, and RETURNING says whether it was. Concurrent callers serialise on the row, so two
/// instances racing for one member let exactly one through.
/// </summary>
public sealed class EfMemberCooldowns(IDbContextFactory<MoodBotDbContext> factory, StorageMigrator schema, TimeProvider time) : IMemberCooldowns
{
    public async Task<CooldownDecision> TryStartAsync(string memberId, TimeSpan cooldown, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        if (cooldown <= TimeSpan.Zero)
        {
            return CooldownDecision.Start;
        }

        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var until = now + (long)cooldown.TotalMilliseconds;
        var started = await db.Database.SqlQuery<long>(
                $"""
                INSERT INTO member_cooldowns (member_id, until_ms) VALUES ({memberId}, {until})
                ON CONFLICT (member_id) DO UPDATE SET until_ms = excluded.until_ms WHERE member_cooldowns.until_ms <= {now}
                RETURNING until_ms AS "Value"
                """)
            .ToListAsync(cancellationToken);
        if (started.Count == 1)
        {
            return CooldownDecision.Start;
        }

        // Refused: read how long is left (the refusal path only, so the common case stays one statement).
        var running = await db.MemberCooldowns.AsNoTracking().Where(c => c.MemberId == memberId).Select(c => (long?)c.UntilMs)
            .FirstOrDefaultAsync(cancellationToken);
        // Measure from a clock read taken after the row was seen, not from `now`: a racing winner may have read its clock
        // after ours, so its row can end later than now + cooldown. Any row we saw was written before this read, so the
        // wait reported never exceeds one cooldown.
        var seen = time.GetUtcNow().ToUnixTimeMilliseconds();
        return CooldownDecision.Wait(TimeSpan.FromMilliseconds(Math.Max(0, (running ?? seen) - seen)));
    }

    public async Task ReleaseAsync(string memberId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        await schema.EnsureAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.MemberCooldowns.Where(c => c.MemberId == memberId).ExecuteDeleteAsync(cancellationToken);
    }
}
