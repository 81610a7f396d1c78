using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MoodBot.Core;

namespace MoodBot.Vision.Tests;

/// <summary>One host (one model session) shared by the vision tests, as in production.</summary>
public sealed class VisionFixture : IDisposable
{
    private readonly IHost _host;

    public VisionFixture()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.AddVision();
        _host = builder.Build();
        Analyzer = _host.Services.GetRequiredService<PhotoAnalyzer>();
        Evaluator = _host.Services.GetRequiredService<EmotionEvaluator>();
        Options = _host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<VisionOptions>>().Value;
    }

    public PhotoAnalyzer Analyzer { get; }

    public EmotionEvaluator Evaluator { get; }

    public VisionOptions Options { get; }

    public PhotoAnalysis Analyze(byte[] bytes) => Analyzer.Analyze(bytes);

    public void Dispose() => _host.Dispose();
}

[CollectionDefinition(Name)]
public sealed class VisionGroup : ICollectionFixture<VisionFixture>
{
    public const string Name = "vision";
}
