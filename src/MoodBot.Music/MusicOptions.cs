using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MoodBot.Music;

/// <summary>Configuration section <c>MoodBot:Music</c>.</summary>
public sealed class MusicOptions
{
    public const string Section = "MoodBot:Music";

    /// <summary>Tracks per recommendation when the caller does not say.</summary>
    [Range(1, 50)]
    public int DefaultCount { get; set; } = 10;

    /// <summary>Weight of valence differences in the nearest-neighbour distance.</summary>
    [Range(0.01, 10.0)]
    public double ValenceWeight { get; set; } = 1.0;

    /// <summary>Weight of energy differences in the nearest-neighbour distance.</summary>
    [Range(0.01, 10.0)]
    public double EnergyWeight { get; set; } = 1.0;

    /// <summary>Tracks whose distances to the target fall in the same band of this width count as tied; the more popular wins.</summary>
    [Range(0.0001, 0.5)]
    public double PopularityTieBand { get; set; } = 0.01;

    /// <summary>A member is not offered tracks from their last this-many recommendations (0 turns the rule off).</summary>
    [Range(0, 100)]
    public int NoRepeatLast { get; set; } = 5;

    /// <summary>Valence the lift mode ends on (it never lowers valence below the start).</summary>
    [Range(0.0, 1.0)]
    public double LiftGoalValence { get; set; } = 0.8;

    /// <summary>Energy the lift mode ends on: calmer for agitated moods, a little livelier for low ones.</summary>
    [Range(0.0, 1.0)]
    public double LiftGoalEnergy { get; set; } = 0.5;

    /// <summary>Without a catalog: how many genres nearest the target are chosen (match mode).</summary>
    [Range(1, 10)]
    public int FallbackGenres { get; set; } = 3;

    /// <summary>Without a catalog: genre searches start at a random offset below this, so repeated asks differ.</summary>
    [Range(0, 1000)]
    public int SearchMaxOffset { get; set; } = 100;

    /// <summary>How often the in-memory index checks whether the catalog changed (a re-import by the CLI).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CatalogRefresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Fill an empty catalog from <see cref="SeedCatalogPath"/> at start (bot: in the background; CLI: before the verb).</summary>
    public bool SeedCatalog { get; set; } = true;

    /// <summary>The gzip CSV an empty catalog is seeded from; relative to the application's directory, or absolute.</summary>
    [Required]
    public string SeedCatalogPath { get; set; } = ShippedCatalog.DefaultPath;
}

[OptionsValidator]
public sealed partial class MusicOptionsValidator : IValidateOptions<MusicOptions>;
