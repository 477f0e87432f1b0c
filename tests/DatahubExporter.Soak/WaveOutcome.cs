namespace DatahubExporter.Soak;

/// <summary>What one fault wave did: the fault, the region it was on, whether each path's collection of that
/// region succeeded, and any invariant it broke.</summary>
public sealed record WaveOutcome(int Index, string Step, string Region, bool ExpectFailure)
{
    public Dictionary<string, bool> Succeeded { get; } = new(StringComparer.Ordinal);

    public List<string> Problems { get; } = [];
}
