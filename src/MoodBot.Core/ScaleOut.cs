namespace MoodBot.Core;

/// <summary>
/// Makes sure an interaction is answered once even when it arrives more than once: replayed after a gateway RESUME,
/// delivered to two instances behind one HTTP endpoint, or POSTed again by a retry. Instances sharing a database share
/// the claims.
/// </summary>
public interface IInteractionClaims
{
    /// <summary>True for the first caller with this interaction id (answer it); false for every later one (drop it).</summary>
    Task<bool> TryClaimAsync(string interactionId, CancellationToken cancellationToken);
}

/// <summary>The outcome of a cooldown check: started, or refused with the time left.</summary>
public readonly record struct CooldownDecision(bool Started, TimeSpan Remaining)
{
    public static CooldownDecision Start { get; } = new(true, TimeSpan.Zero);

    public static CooldownDecision Wait(TimeSpan remaining) => new(false, remaining);
}

/// <summary>
/// Per-member cooldown for expensive commands. The check and the start are one atomic step, so two instances (or two
/// clicks) racing for the same member let exactly one through.
/// </summary>
public interface IMemberCooldowns
{
    /// <summary>Starts a cooldown of <paramref name="cooldown"/> unless one is still running for the member.</summary>
    Task<CooldownDecision> TryStartAsync(string memberId, TimeSpan cooldown, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the member's running cooldown, for a request the bot itself could not serve (photo analysis busy): the member
    /// was told to try again, so the cooldown must not make them wait.
    /// </summary>
    Task ReleaseAsync(string memberId, CancellationToken cancellationToken);
}
