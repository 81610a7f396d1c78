using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Discord.Interactions;

/// <summary>
/// The commands' view of the per-member cooldown: this bot's <see cref="DiscordOptions.CooldownSeconds"/>, decided by
/// whichever <see cref="IMemberCooldowns"/> is registered: the database (AddStorage), shared by every instance, or
/// <see cref="InProcessMemberCooldowns"/> when the bot runs without storage.
/// </summary>
internal sealed class CooldownTracker(IMemberCooldowns store, IOptions<DiscordOptions> options)
{
    /// <summary>Starts a cooldown for the member, or says how long they still have to wait.</summary>
    public Task<CooldownDecision> TryStartAsync(string userId, CancellationToken cancellationToken) =>
        store.TryStartAsync(userId, TimeSpan.FromSeconds(options.Value.CooldownSeconds), cancellationToken);

    /// <summary>As above, with the server's own cooldown (<c>/moodbot-settings</c>) when it set one.</summary>
    public Task<CooldownDecision> TryStartAsync(string userId, GuildSettings? settings, CancellationToken cancellationToken) =>
        store.TryStartAsync(userId, TimeSpan.FromSeconds(settings?.CooldownSeconds ?? options.Value.CooldownSeconds), cancellationToken);

    /// <summary>Gives the member's cooldown back (the bot could not serve the request it was started for).</summary>
    public Task ReleaseAsync(string userId, CancellationToken cancellationToken) => store.ReleaseAsync(userId, cancellationToken);
}

/// <summary>
/// Cooldowns in this process only: right for one instance; with several, a member could get one extra run per instance,
/// which is why the host uses the database's implementation instead.
/// </summary>
internal sealed class InProcessMemberCooldowns(TimeProvider time) : IMemberCooldowns
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    public Task<CooldownDecision> TryStartAsync(string memberId, TimeSpan cooldown, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cooldown <= TimeSpan.Zero)
        {
            return Task.FromResult(CooldownDecision.Start);
        }

        while (true)
        {
            if (_until.TryGetValue(memberId, out var until))
            {
                if (until > now)
                {
                    return Task.FromResult(CooldownDecision.Wait(until - now));
                }

                if (_until.TryUpdate(memberId, now + cooldown, until))
                {
                    return Task.FromResult(CooldownDecision.Start);
                }
            }
            else if (_until.TryAdd(memberId, now + cooldown))
            {
                if (_until.Count > 10_000)
                {
                    Prune(now);
                }

                return Task.FromResult(CooldownDecision.Start);
            }
        }
    }

    public Task ReleaseAsync(string memberId, CancellationToken cancellationToken)
    {
        _until.TryRemove(memberId, out _);
        return Task.CompletedTask;
    }

    /// <summary>Drops the member's cooldown ("forget me"); true when there was one.</summary>
    public bool Forget(string memberId) => _until.TryRemove(memberId, out _);

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, until) in _until)
        {
            if (until <= now)
            {
                _until.TryRemove(KeyValuePair.Create(key, until));
            }
        }
    }
}

/// <summary>
/// "Forget me" without a database: the only thing this process keeps about a member is the in-process cooldown
/// (history and Spotify links need storage, so there are none). AddStorage replaces this with the database version.
/// </summary>
internal sealed class InProcessMemberDataEraser(IMemberCooldowns cooldowns) : IMemberDataEraser
{
    public Task<MemberDataDeletion> ForgetAsync(string memberId, string historyUserKey, CancellationToken cancellationToken) =>
        Task.FromResult(cooldowns is InProcessMemberCooldowns local && local.Forget(memberId)
            ? MemberDataDeletion.None with { CooldownRows = 1 }
            : MemberDataDeletion.None);
}
