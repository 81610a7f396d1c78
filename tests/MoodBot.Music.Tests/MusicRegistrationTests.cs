using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MoodBot.Core;
using MoodBot.Music;

namespace MoodBot.Tests;

public sealed class MusicRegistrationTests
{
    [Fact]
    public async Task AddMusic_WithoutStorage_RecommendsGenresOnly()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddMusic();
        using var host = builder.Build();

        var mapper = host.Services.GetRequiredService<IMoodTargetMapper>();
        var target = mapper.Map(EmotionProbabilities.OneHot(Emotion.Happy), RecommendationMode.Match);
        var rec = await host.Services.GetRequiredService<IRecommender>()
            .RecommendAsync(new RecommendationRequest(target, RecommendationMode.Match, 5), TestContext.Current.CancellationToken);

        Assert.Equal(MoodMapper.Coordinates(Emotion.Happy), target);
        Assert.Equal(CatalogRecommender.SourceGenresOnly, rec.Source);
        Assert.Equal(3, rec.Genres.Count);
    }

    [Fact]
    public void AddMusic_InvalidOption_FailsValidation()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("MoodBot:Music:DefaultCount", "500")]);
        builder.AddMusic();
        using var host = builder.Build();

        Assert.Throws<OptionsValidationException>(() => { _ = host.Services.GetRequiredService<IOptions<MusicOptions>>().Value; });
    }
}
