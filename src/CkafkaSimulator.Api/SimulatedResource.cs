namespace CkafkaSimulator;

/// <summary>One connect resource as the simulator serves it (spec §2.4 DescribeConnectResource). Immutable,
/// like <see cref="SimulatedTask"/>.</summary>
public sealed record SimulatedResource
{
    public required string ResourceId { get; init; }
    public string? ResourceName { get; init; }

    /// <summary>A DatahubResource type such as KAFKA, MYSQL, ES.</summary>
    public string Type { get; init; } = "KAFKA";

    /// <summary>Resource status code (spec §3): -1, 0, 1, 2, 4, 5, 6, 7.</summary>
    public long Status { get; init; } = 1;

    public string CreateTime { get; init; } = "2024-12-04 16:21:08";
    public string? ErrorMessage { get; init; }
    public long DatahubTaskCount { get; init; }
    public string? CurrentStep { get; init; }
    public double TaskProgress { get; init; } = 100;
    public IReadOnlyList<string> StepList { get; init; } = [];
    public string? Description { get; init; }

    /// <summary>Served as Tags [{TagKey, TagValue}].</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];
}
