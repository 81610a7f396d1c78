namespace MoodBot.Fuzz;

/// <summary>
/// One entry point under test. <see cref="Run"/> returns a short, low-cardinality label for every documented outcome
/// (accepted, or refused the way the contract says); anything it lets escape is a crash.
/// </summary>
public interface IFuzzTarget : IDisposable
{
    string Name { get; }

    /// <summary>Valid inputs to start from, generated in memory (never read from ../shared).</summary>
    IReadOnlyList<byte[]> Seeds();

    /// <summary>A new input derived from <paramref name="parent"/> (or from nothing), reproducible from <paramref name="rng"/>.</summary>
    byte[] Mutate(byte[] parent, IReadOnlyList<byte[]> pool, Random rng);

    string Run(byte[] input);
}

/// <summary>An outcome that no exception type reveals but that breaks the contract (e.g. a face box outside the photo).</summary>
public sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException()
    {
    }

    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    public FuzzInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
