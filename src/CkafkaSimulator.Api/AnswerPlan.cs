using Microsoft.AspNetCore.Http;

namespace CkafkaSimulator;

/// <summary>
/// How one accepted request is answered beyond the plain answer, decided at arrival by the
/// <see cref="IAnswerPlanner"/> the full simulator plugs in (its faults). The look-alike only knows the shapes
/// a list answer can take; what replaces or damages an answer comes from the planner as code.
/// </summary>
internal sealed class AnswerPlan
{
    public static readonly AnswerPlan None = new();

    /// <summary>Waited before answering.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Answers instead of the API (an error envelope, an HTTP status, a hang, a malformed body), after
    /// recording the request; null: the normal answer.</summary>
    public Func<ReplacedAnswer, Task>? Replace { get; set; }

    /// <summary>Rewrites a finished answer, error envelopes of the API included, before it is sent (truncation,
    /// a lost list, lone surrogates).</summary>
    public Func<FinishedAnswer, byte[]>? Rewrite { get; set; }

    /// <summary>Added to TotalCount.</summary>
    public long CountDrift { get; set; }

    /// <summary>Null or drop fields of the items, by item position.</summary>
    public bool NullItemFields { get; set; }

    /// <summary>Write the list itself as JSON null.</summary>
    public bool NullList { get; set; }

    /// <summary>How many items of the previous page a page repeats.</summary>
    public int Overlap { get; set; }

    /// <summary>In a group-offsets answer, each topic's first partition reports an error and its second null numbers.</summary>
    public bool DamagedPartitions { get; set; }

    /// <summary>Bytes of padding added to the answer.</summary>
    public int PaddingBytes { get; set; }

    /// <summary>What shaped the answer, for <see cref="ReceivedRequest.Faults"/>.</summary>
    public List<FaultKind> Applied { get; } = [];
}

/// <summary>Decides, at the arrival of each accepted request, how it is answered.</summary>
internal interface IAnswerPlanner
{
    /// <param name="arrived">When the request reached the server (before its body was read and its signature
    /// checked): the API's rate window is measured by arrival time (spec §5).</param>
    AnswerPlan Plan(string action, string region, DateTimeOffset arrived);
}

/// <summary>What <see cref="AnswerPlan.Replace"/> answers with: <see cref="Record"/> logs the request as answered
/// (with the error code or HTTP status given), <see cref="Token"/> ends when the client leaves or the simulator stops.</summary>
internal sealed record ReplacedAnswer(
    HttpContext Context, ReceivedRequest Log, TimeSpan Delay, string RequestId, SimulatorState State, CancellationToken Token);

/// <summary>A finished answer: the list field and the item name field are null for a single-item answer.</summary>
internal sealed record FinishedAnswer(byte[] Body, string? ListField, string? NameField, long TotalCount, string RequestId);
