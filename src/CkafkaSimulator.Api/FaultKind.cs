namespace CkafkaSimulator;

/// <summary>What an injected fault (<c>Fault</c>, in the full simulator) does to a matching request; also how
/// <see cref="ReceivedRequest.Faults"/> names what shaped an answer.</summary>
public enum FaultKind
{
    /// <summary>Delays the answer by <c>Fault.Delay</c>, then answers normally (or with another fault).</summary>
    Latency,

    /// <summary>Answers HTTP 200 with the Tencent error envelope carrying <c>Fault.Code</c>.</summary>
    Error,

    /// <summary>Admits at most <c>Fault.PerSecond</c> requests per action and region in any sliding
    /// second; the others get <c>RequestLimitExceeded</c> (spec §2.2, §5: the window is by arrival time).</summary>
    RateLimit,

    /// <summary>HTTP 200 with a body that is not JSON at all.</summary>
    MalformedJson,

    /// <summary>HTTP 200 with the normal answer cut in half.</summary>
    TruncatedJson,

    /// <summary>A non-200 HTTP status (<c>Fault.Status</c>), as a gateway in front of the API would send.</summary>
    HttpStatus,

    /// <summary>Never answers until the client gives up or the server stops.</summary>
    Hang,

    /// <summary>TotalCount is off by <c>Fault.Delta</c> times the number of pages already served under this fault.</summary>
    TotalCountDrift,

    /// <summary>List items with null or missing fields; with <c>Fault.NullList</c> the list itself is null.</summary>
    NullFields,

    /// <summary>Each page after the first starts <c>Fault.Overlap</c> items early, so pages overlap.</summary>
    DuplicateItems,

    /// <summary>The normal answer padded with a string field of <c>Fault.Bytes</c> bytes.</summary>
    OversizedBody,

    /// <summary>The first item's name starts with a lone high surrogate escape (<c>\ud800</c>), the second's with a
    /// lone low one (<c>\udc00</c>): JSON that parses, UTF-16 that does not.</summary>
    LoneSurrogate,

    /// <summary>The answer lost its list: <c>Result</c> keeps <c>TotalCount</c> but not the list, or with
    /// <c>Fault.MissingResult</c> the <c>Response</c> has no <c>Result</c> at all.</summary>
    LostList,

    /// <summary>In a DescribeGroupOffsets or DescribeDatahubGroupOffsets answer, each topic's first partition has
    /// <c>ErrorCode</c> 3 (its numbers kept) and its second null <c>Offset</c>, <c>LogEndOffset</c> and <c>Lag</c> (§8).</summary>
    PartitionErrors,
}
