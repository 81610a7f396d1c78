using System.Collections.Concurrent;
using MoodBot.Core;

namespace MoodBot.Spotify.Tests;

/// <summary>The test stand-in for MoodBot.Storage's EF store: same contract, atomic take.</summary>
internal sealed class InMemorySpotifyLinkStore : ISpotifyLinkStore
{
    public ConcurrentDictionary<string, OAuthState> States { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, LinkedAccount> Accounts { get; } = new(StringComparer.Ordinal);

    public Task SaveStateAsync(OAuthState state, CancellationToken cancellationToken)
    {
        States[state.State] = state;
        return Task.CompletedTask;
    }

    public Task<OAuthState?> TakeStateAsync(string state, CancellationToken cancellationToken) =>
        Task.FromResult(States.TryRemove(state, out var taken) ? taken : null);

    public Task SaveAccountAsync(LinkedAccount account, CancellationToken cancellationToken)
    {
        Accounts[account.DiscordUserId] = account;
        return Task.CompletedTask;
    }

    public Task<LinkedAccount?> GetAccountAsync(string discordUserId, CancellationToken cancellationToken) =>
        Task.FromResult(Accounts.TryGetValue(discordUserId, out var account) ? account : null);

    public Task<bool> DeleteAccountAsync(string discordUserId, CancellationToken cancellationToken) =>
        Task.FromResult(Accounts.TryRemove(discordUserId, out _));
}
