namespace CkafkaSimulator;

/// <summary>
/// One injected misbehaviour of the simulated API. Build with the factory methods; install with
/// <see cref="SimulatorState.SetFault"/>. Immutable.
/// </summary>
public sealed record Fault
{
    private Fault(FaultKind kind) => Kind = kind;

    public FaultKind Kind { get; }

    /// <summary>For <see cref="FaultKind.Latency"/>.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>For <see cref="FaultKind.Error"/>: any Tencent error code (spec §4.2, §4.3).</summary>
    public string Code { get; private init; } = "";

    /// <summary>For <see cref="FaultKind.Error"/>.</summary>
    public string Message { get; private init; } = "";

    /// <summary>For <see cref="FaultKind.RateLimit"/>.</summary>
    public int PerSecond { get; private init; }

    /// <summary>For <see cref="FaultKind.HttpStatus"/>.</summary>
    public int Status { get; private init; }

    /// <summary>For <see cref="FaultKind.TotalCountDrift"/>: added to TotalCount once per page served.</summary>
    public int Delta { get; private init; }

    /// <summary>For <see cref="FaultKind.NullFields"/>: write the list itself as JSON null.</summary>
    public bool NullList { get; private init; }

    /// <summary>For <see cref="FaultKind.LostList"/>: drop <c>Result</c> itself rather than only the list.</summary>
    public bool MissingResult { get; private init; }

    /// <summary>For <see cref="FaultKind.DuplicateItems"/>.</summary>
    public int Overlap { get; private init; }

    /// <summary>For <see cref="FaultKind.OversizedBody"/>.</summary>
    public int Bytes { get; private init; }

    public static Fault Latency(TimeSpan delay) =>
        delay >= TimeSpan.Zero ? new(FaultKind.Latency) { Delay = delay } : throw new ArgumentOutOfRangeException(nameof(delay), "must not be negative");

    public static Fault Error(string code, string message = "injected by the simulator") =>
        string.IsNullOrWhiteSpace(code) ? throw new ArgumentException("an error code is required", nameof(code))
            : new(FaultKind.Error) { Code = code, Message = message ?? "" };

    public static Fault RateLimit(int perSecond) =>
        perSecond >= 0 ? new(FaultKind.RateLimit) { PerSecond = perSecond } : throw new ArgumentOutOfRangeException(nameof(perSecond), "must not be negative");

    public static Fault MalformedJson() => new(FaultKind.MalformedJson);

    public static Fault TruncatedJson() => new(FaultKind.TruncatedJson);

    public static Fault HttpStatus(int status) =>
        status is >= 100 and <= 599 && status != 200
            ? new(FaultKind.HttpStatus) { Status = status }
            : throw new ArgumentOutOfRangeException(nameof(status), "must be an HTTP status other than 200");

    public static Fault Hang() => new(FaultKind.Hang);

    public static Fault TotalCountDrift(int deltaPerPage) => new(FaultKind.TotalCountDrift) { Delta = deltaPerPage };

    public static Fault NullFields(bool nullList = false) => new(FaultKind.NullFields) { NullList = nullList };

    public static Fault LoneSurrogate() => new(FaultKind.LoneSurrogate);

    public static Fault PartitionErrors() => new(FaultKind.PartitionErrors);

    public static Fault LostList(bool missingResult = false) => new(FaultKind.LostList) { MissingResult = missingResult };

    public static Fault DuplicateItems(int overlap = 1) =>
        overlap >= 1 ? new(FaultKind.DuplicateItems) { Overlap = overlap } : throw new ArgumentOutOfRangeException(nameof(overlap), "must be at least 1");

    public static Fault OversizedBody(int bytes) =>
        bytes >= 0 ? new(FaultKind.OversizedBody) { Bytes = bytes } : throw new ArgumentOutOfRangeException(nameof(bytes), "must not be negative");
}
