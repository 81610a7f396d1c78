using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Vision;

public static class VisionServiceCollectionExtensions
{
    /// <summary>Registers photo analysis (detector, classifier, analyzer) bound to <c>MoodBot:Vision</c>.</summary>
    public static IHostApplicationBuilder AddVision(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<VisionOptions>()
            .Bind(builder.Configuration.GetSection(VisionOptions.Section))
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VisionOptions>, VisionOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<MoodBotMetrics>();
        builder.Services.AddSingleton<FaceDetector>();
        builder.Services.AddSingleton<EmotionClassifier>();
        builder.Services.AddSingleton<PhotoAnalysisGate>();
        builder.Services.AddSingleton<PhotoAnalyzer>();
        builder.Services.AddSingleton<EmotionEvaluator>();
        builder.Services.AddSingleton<IPhotoAnalyzer>(sp => sp.GetRequiredService<PhotoAnalyzer>());
        return builder;
    }
}
