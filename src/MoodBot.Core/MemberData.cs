namespace MoodBot.Core;

/// <summary>What <see cref="IMemberDataEraser.ForgetAsync"/> deleted for one member, so the bot can tell them.</summary>
/// <param name="RecommendationRows">History entries (emotion + track ids per recommendation).</param>
/// <param name="SpotifyLink">Whether a linked Spotify account (its encrypted refresh token) was deleted.</param>
/// <param name="PendingLinks">Unfinished Spotify authorisations (state + encrypted PKCE verifier).</param>
/// <param name="CooldownRows">The member's cooldown row.</param>
public sealed record MemberDataDeletion(int RecommendationRows, bool SpotifyLink, int PendingLinks, int CooldownRows)
{
    public static MemberDataDeletion None { get; } = new(0, false, 0, 0);

    public bool Anything => RecommendationRows > 0 || SpotifyLink || PendingLinks > 0 || CooldownRows > 0;
}

/// <summary>
/// Deletes everything stored about one member ("forget me"). Implementations on a shared database delete it for every
/// instance at once.
/// </summary>
public interface IMemberDataEraser
{
    /// <param name="memberId">The member's Discord user id (links, cooldowns).</param>
    /// <param name="historyUserKey">The key their recommendation history is kept under.</param>
    Task<MemberDataDeletion> ForgetAsync(string memberId, string historyUserKey, CancellationToken cancellationToken);
}
