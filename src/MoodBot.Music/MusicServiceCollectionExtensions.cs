using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Music;

public static class MusicServiceCollectionExtensions
{
    /// <summary>
    /// Registers the recommender bound to <c>MoodBot:Music</c>. It uses <see cref="ITrackCatalog"/>,
    /// <see cref="ICatalogSeeding"/>, <see cref="IGenreTrackSearch"/>, <see cref="IMoodRecommendationSource"/>,
    /// <see cref="ITrackFeatureSource"/> and <see cref="IRecommendationHistory"/> when other features register them.
    /// </summary>
    public static IHostApplicationBuilder AddMusic(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MusicOptions>()
            .Bind(builder.Configuration.GetSection(MusicOptions.Section))
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MusicOptions>, MusicOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(_ => GenreProfiles.LoadEmbedded());
        builder.Services.TryAddSingleton<CatalogSeeder>();
        builder.Services.TryAddSingleton<CatalogRecommender>();
        builder.Services.TryAddSingleton<IRecommender>(sp => sp.GetRequiredService<CatalogRecommender>());
        builder.Services.TryAddSingleton<IMoodTargetMapper, MoodTargetMapper>();
        builder.Services.TryAddTransient<CatalogImporter>();
        builder.Services.AddHostedService<MusicWarmUp>();
        return builder;
    }
}
