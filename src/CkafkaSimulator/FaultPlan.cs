namespace CkafkaSimulator;

/// <summary>What the installed faults do to one request, decided at arrival under the state lock.</summary>
internal sealed class FaultPlan
{
    public static readonly FaultPlan None = new();

    /// <summary>Summed delay of every matching latency fault.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>A fault that replaces the answer (error, rate limit hit, HTTP status, hang, malformed); null if none.</summary>
    public Fault? Decisive { get; set; }

    public bool Truncate { get; set; }

    /// <summary>Added to TotalCount (TotalCountDrift).</summary>
    public long CountDrift { get; set; }

    public Fault? NullFields { get; set; }

    public int Overlap { get; set; }

    public bool LoneSurrogate { get; set; }

    public Fault? LostList { get; set; }

    public int PaddingBytes { get; set; }

    public List<FaultKind> Applied { get; } = [];
}
