using Microsoft.Extensions.DependencyInjection;
using MoodBot.Core;
using MoodBot.Discord.Replies;
using MoodBot.Discord.Resources;

namespace MoodBot.Discord.Interactions;

/// <summary>Mood → target → tracks, shared by the command and the re-roll buttons.</summary>
internal sealed class MoodMusicService(IServiceProvider services)
{
    public static string UserKey(string discordUserId) => "discord:" + discordUserId;

    public async Task<MoodReply> RecommendAsync(EmotionProbabilities mood, IReadOnlyList<FaceEmotion> faces, bool manual,
        RecommendationMode mode, int count, string ownerId, string requesterId, IReadOnlySet<string>? exclude, CancellationToken ct,
        IReadOnlyList<(Emotion Emotion, int Faces)>? disagreement = null)
    {
        var mapper = Require<IMoodTargetMapper>();
        var recommender = Require<IRecommender>();
        var target = mapper.Map(mood, mode);
        var userKey = UserKey(requesterId);
        // History (emotion + track ids, never the photo) is the recommender's job: it owns no-repeat and records
        // under this user key, so recording here too would count every reply twice.
        var recommendation = await recommender.RecommendAsync(new RecommendationRequest(target, mode, count, UserKey: userKey, Exclude: exclude, DetectedEmotion: mood.Top), ct)
            .ConfigureAwait(false);

        return new MoodReply(mood, faces, manual, target, mode, count, ownerId, recommendation, disagreement);
    }

    private T Require<T>()
        where T : notnull =>
        services.GetService<T>() ?? throw new InteractionProblemException(ProblemKind.NotConfigured,
            Strings.MusicNotConfigured);
}
