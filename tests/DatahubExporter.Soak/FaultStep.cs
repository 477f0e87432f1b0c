using CkafkaSimulator;

namespace DatahubExporter.Soak;

/// <summary>
/// One entry of the fault schedule: the fault switched on for one region during one wave, the scrape timeout
/// the wave's scrapes send, and whether a collection under it must fail (counted in the error gauges) or must
/// still succeed with complete data (the exporter absorbs it: retries, paging guards, latency within budget).
/// </summary>
/// <param name="Count">Requests the fault affects before it goes away; null while the wave lasts.</param>
public sealed record FaultStep(string Name, Fault Fault, bool ExpectFailure, double TimeoutSeconds, int? Count = null)
{
    /// <summary>The schedule, cycled through wave by wave with the region alternating: every kind the issue names.</summary>
    public static IReadOnlyList<FaultStep> Schedule { get; } =
    [
        new("Error InternalError (retried, persists)", Fault.Error("InternalError"), ExpectFailure: true, TimeoutSeconds: 5),
        new("HTTP 502", Fault.HttpStatus(502), ExpectFailure: true, TimeoutSeconds: 5),
        new("Malformed JSON", Fault.MalformedJson(), ExpectFailure: true, TimeoutSeconds: 5),
        new("Hang", Fault.Hang(), ExpectFailure: true, TimeoutSeconds: 3),
        new("TotalCountDrift +7/page", Fault.TotalCountDrift(7), ExpectFailure: false, TimeoutSeconds: 10),
        new("Error AuthFailure.SignatureFailure (not retried)", Fault.Error("AuthFailure.SignatureFailure"), ExpectFailure: true, TimeoutSeconds: 5),
        new("Latency 3 s per call (past the deadline)", Fault.Latency(TimeSpan.FromSeconds(3)), ExpectFailure: true, TimeoutSeconds: 3),
        new("HTTP 503", Fault.HttpStatus(503), ExpectFailure: true, TimeoutSeconds: 5),
        new("Error InternalError once (a retry absorbs it)", Fault.Error("InternalError"), ExpectFailure: false, TimeoutSeconds: 10, Count: 1),
        new("Truncated JSON", Fault.TruncatedJson(), ExpectFailure: true, TimeoutSeconds: 5),
        new("Latency 30 ms per call (within the deadline)", Fault.Latency(TimeSpan.FromMilliseconds(30)), ExpectFailure: false, TimeoutSeconds: 10),
        new("Error RequestLimitExceeded (retried, persists)", Fault.Error("RequestLimitExceeded"), ExpectFailure: true, TimeoutSeconds: 5),
        new("Error ResourceNotFound (not retried)", Fault.Error("ResourceNotFound"), ExpectFailure: true, TimeoutSeconds: 5),
        new("Lone UTF-16 surrogates in names (the items stay)", Fault.LoneSurrogate(), ExpectFailure: false, TimeoutSeconds: 10),
        new("Lost list (TotalCount without the list)", Fault.LostList(), ExpectFailure: true, TimeoutSeconds: 5),
        new("Lost list (no Result at all)", Fault.LostList(missingResult: true), ExpectFailure: true, TimeoutSeconds: 5),
        // Below the client's 19-20/s: a sweep of several pages cannot finish inside 2.5 s whatever the client's backoff does.
        new("API rate limit 1/s, below the client's (the deadline passes)", Fault.RateLimit(1), ExpectFailure: true, TimeoutSeconds: 3),
    ];
}
