namespace CkafkaSimulator;

/// <summary>Fault injection on the state of a <see cref="SimulatorServer"/> (the look-alike alone has none).</summary>
public static class SimulatorStateFaults
{
    extension(SimulatorState state)
    {
        /// <summary>
        /// Installs a fault for one action and/or region (null = all). Faults add up: every matching latency
        /// delays; the first matching error / rate limit hit / HTTP status / hang / malformed body decides the
        /// answer; the shaping kinds (truncation, drift, nulls, duplicates, padding) all apply to a normal answer.
        /// With <paramref name="count"/> the fault affects that many requests and then goes away; a rate limit
        /// counts only the requests it rejects. Faults apply only to requests that passed authentication and
        /// header checks, so an auth test is never disturbed by one.
        /// </summary>
        public void SetFault(Fault fault, string? action = null, string? region = null, int? count = null) =>
            Store(state).Add(fault, action, region, count);

        public void ClearFaults() => Store(state).Clear();

        /// <summary>The installed faults, with how often each has applied.</summary>
        public IReadOnlyList<ActiveFault> Faults => Store(state).Active;
    }

    private static FaultStore Store(SimulatorState state) =>
        state.Planner as FaultStore
        ?? throw new InvalidOperationException("this simulator has no fault injection: start a SimulatorServer, not a CkafkaApiServer");
}
