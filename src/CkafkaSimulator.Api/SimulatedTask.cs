namespace CkafkaSimulator;

/// <summary>
/// One Datahub task as the simulator serves it (spec §2.3 DatahubTaskInfo). Immutable: the state
/// replaces a record to change it, so a page being written never sees a half-made change.
/// </summary>
public sealed record SimulatedTask
{
    public required string TaskId { get; init; }

    /// <summary>Null is served as JSON null (the Go SDK treats every field as optional).</summary>
    public string? TaskName { get; init; }

    /// <summary>SOURCE or SINK.</summary>
    public string TaskType { get; init; } = "SINK";

    /// <summary>Task status code (spec §3): -1 … 9.</summary>
    public long Status { get; init; } = 1;

    public string SourceType { get; init; } = "TOPIC";
    public string? SourceResourceId { get; init; }

    /// <summary>KafkaParam.Topic of a KAFKA source: topic names, comma-separated (§2.3); null writes none.</summary>
    public string? SourceTopics { get; init; }
    public string TargetType { get; init; } = "ES";
    public string? TargetResourceId { get; init; }

    /// <summary>"yyyy-MM-dd HH:mm:ss", the shape of the doc example.</summary>
    public string CreateTime { get; init; } = "2024-12-04 16:21:08";

    public string? ErrorMessage { get; init; }
    public string? WarnMessage { get; init; }
    public double TaskProgress { get; init; } = 100;
    public string? TaskCurrentStep { get; init; }
    public string? DatahubId { get; init; }
    public IReadOnlyList<string> StepList { get; init; } = [];
    public string? Description { get; init; }
}
