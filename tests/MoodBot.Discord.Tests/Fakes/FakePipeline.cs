using System.Collections.Concurrent;
using MoodBot.Core;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>Returns a scripted analysis; records the bytes it was given (to prove what was downloaded).</summary>
internal sealed class FakePhotoAnalyzer : IPhotoAnalyzer
{
    public Func<ReadOnlyMemory<byte>, PhotoAnalysis> Analyze { get; set; } = _ => WithFaces(Happy, Neutral);

    public ConcurrentQueue<byte[]> Photos { get; } = new();

    public static EmotionProbabilities Happy { get; } = EmotionProbabilities.FromScores([0.02f, 0.01f, 0.02f, 0.8f, 0.05f, 0.05f, 0.05f]);

    public static EmotionProbabilities Neutral { get; } = EmotionProbabilities.FromScores([0.05f, 0.01f, 0.04f, 0.1f, 0.1f, 0.05f, 0.65f]);

    public static PhotoAnalysis WithFaces(params EmotionProbabilities[] faces) =>
        new(800, 600, faces.Select((p, i) => new FaceEmotion(new FaceBox(10 + (i * 200), 10, 150, 150), p)).ToList(),
            new PhotoTimings(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(3)));

    public Task<PhotoAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, CancellationToken cancellationToken)
    {
        Photos.Enqueue(photo.ToArray());
        return Task.FromResult(Analyze(photo));
    }
}

/// <summary>A transparent mapping so tests can check the target the reply shows.</summary>
internal sealed class FakeMoodTargetMapper : IMoodTargetMapper
{
    public MoodTarget Map(EmotionProbabilities probabilities, RecommendationMode mode) =>
        mode == RecommendationMode.Lift ? new MoodTarget(0.9, 0.6) : new MoodTarget(0.2 + (0.6 * probabilities[Emotion.Happy]), 0.5);
}

/// <summary>Deals tracks from a fixed pool, honouring Exclude; records every request.</summary>
internal sealed class FakeRecommender : IRecommender
{
    public ConcurrentQueue<RecommendationRequest> Requests { get; } = new();

    public Task<Recommendation> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        var tracks = Enumerable.Range(0, 60)
            .Select(i => new Track($"trk{i:D19}", $"Song [{i}] *live*", [$"Artist {i}", "Guest"], ["pop"], 50, 0.5, 0.5))
            .Where(t => request.Exclude?.Contains(t.Id) != true)
            .Take(request.Count)
            .ToList();
        return Task.FromResult(new Recommendation(tracks, [], "fake"));
    }
}

internal sealed class FakeHistory : IRecommendationHistory
{
    public ConcurrentQueue<(string User, Emotion Emotion, IReadOnlyList<string> Tracks)> Added { get; } = new();

    public Task<IReadOnlySet<string>> RecentTrackIdsAsync(string userKey, int lastRecommendations, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());

    public Task AddAsync(string userKey, Emotion emotion, IReadOnlyList<string> trackIds, CancellationToken cancellationToken)
    {
        Added.Enqueue((userKey, emotion, trackIds));
        return Task.CompletedTask;
    }
}

internal sealed class FakeSpotifyLinking : ISpotifyLinking
{
    public ConcurrentDictionary<string, bool> Linked { get; } = new();

    public ConcurrentQueue<(string User, string Name, IReadOnlyList<string> Tracks)> Saved { get; } = new();

    public bool IsConfigured => true;

    /// <summary>When set, every save answers this (Spotify down or rate limiting).</summary>
    public PlaylistResult? SaveFailure { get; set; }

    public Task<Uri> CreateAuthorizeUrlAsync(string discordUserId, CancellationToken cancellationToken) =>
        Task.FromResult(new Uri($"https://accounts.spotify.com/authorize?state=s-{discordUserId}"));

    public Task<bool> IsLinkedAsync(string discordUserId, CancellationToken cancellationToken) =>
        Task.FromResult(Linked.ContainsKey(discordUserId));

    public Task<bool> UnlinkAsync(string discordUserId, CancellationToken cancellationToken) =>
        Task.FromResult(Linked.TryRemove(discordUserId, out _));

    public Task<PlaylistResult> SavePlaylistAsync(string discordUserId, string name, string description, IReadOnlyList<string> trackIds,
        CancellationToken cancellationToken)
    {
        if (SaveFailure is { } failure)
        {
            return Task.FromResult(failure);
        }

        if (!Linked.ContainsKey(discordUserId))
        {
            return Task.FromResult(new PlaylistResult(false, "Your Spotify account isn't linked yet.", Problem: PlaylistProblem.NotLinked));
        }

        Saved.Enqueue((discordUserId, name, trackIds));
        return Task.FromResult(new PlaylistResult(true, "Saved to your Spotify.", "https://open.spotify.com/playlist/abc"));
    }

    public ConcurrentQueue<(string User, IReadOnlyList<string> Tracks)> Played { get; } = new();

    /// <summary>What the next plays answer once linked (the real client's mapping of Spotify's errors is tested in the Spotify and fault suites).</summary>
    public PlaybackProblem PlayAnswer { get; set; }

    public Task<PlaybackProblem> PlayAsync(string discordUserId, IReadOnlyList<string> trackIds, CancellationToken cancellationToken)
    {
        if (!Linked.ContainsKey(discordUserId))
        {
            return Task.FromResult(PlaybackProblem.NotLinked);
        }

        if (PlayAnswer == PlaybackProblem.None)
        {
            Played.Enqueue((discordUserId, trackIds));
        }

        return Task.FromResult(PlayAnswer);
    }
}
