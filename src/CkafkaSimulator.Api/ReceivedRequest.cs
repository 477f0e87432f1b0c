namespace CkafkaSimulator;

/// <summary>
/// One API request as the simulator saw it, for tests to assert on (<see cref="SimulatorState.Requests"/>).
/// Holds no secrets: the SecretId is an identifier, the key and token are never kept.
/// </summary>
/// <param name="Time">Arrival time on the simulator's clock.</param>
/// <param name="Action">X-TC-Action as sent, or null.</param>
/// <param name="Region">X-TC-Region as sent, or null.</param>
/// <param name="SecretId">The SecretId named in the Authorization header, or null.</param>
/// <param name="SignatureValid">The request passed every TC3 check (spec §1.1).</param>
/// <param name="Offset">Offset as parsed from the body, when it parsed.</param>
/// <param name="Limit">Limit as requested (before capping), when it parsed.</param>
/// <param name="ErrorCode">The Tencent error code answered, or null for a success or a non-envelope answer.</param>
/// <param name="HttpStatus">The HTTP status answered; 0 when the request was left hanging.</param>
/// <param name="Faults">The injected faults that shaped this answer.</param>
public sealed record ReceivedRequest(
    DateTimeOffset Time,
    string? Action,
    string? Region,
    string? SecretId,
    bool SignatureValid,
    long? Offset,
    long? Limit,
    string? ErrorCode,
    int HttpStatus,
    IReadOnlyList<FaultKind> Faults);
