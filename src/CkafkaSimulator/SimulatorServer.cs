namespace CkafkaSimulator;

/// <summary>
/// The full simulator for tests, benchmarks and ckafka_simulator: the API look-alike of
/// <see cref="CkafkaApiServer"/> plus faults set through <see cref="State"/> (<see cref="SimulatorStateFaults"/>)
/// or the unsigned test-only admin API under <c>/_sim/</c> (<c>GET /_sim/state</c>,
/// <c>POST /_sim/tasks/{id}/status?value=N[&amp;region=R]</c>, <c>POST /_sim/resources/{id}/status?value=N</c>,
/// <c>POST /_sim/faults</c>, <c>DELETE /_sim/faults</c>, <c>DELETE /_sim/counters</c>). Test-only: never expose
/// it beyond loopback. Disposing stops it promptly, also while requests hang under a <see cref="FaultKind.Hang"/>
/// fault (their connections are dropped).
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly CkafkaApiServer _api;

    private SimulatorServer(CkafkaApiServer api) => _api = api;

    /// <inheritdoc cref="CkafkaApiServer.BaseAddress"/>
    public Uri BaseAddress => _api.BaseAddress;

    /// <summary>Data, faults and counters; thread-safe; changes take effect on the next request.</summary>
    public SimulatorState State => _api.State;

    /// <inheritdoc cref="CkafkaApiServer.StartAsync(SimulatorOptions, CancellationToken)"/>
    public static async Task<SimulatorServer> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var faults = new FaultStore();
        var api = await CkafkaApiServer.StartAsync(options, faults, state => new AdminApi(state).HandleAsync, ct);
        return new SimulatorServer(api);
    }

    /// <summary>Stops listening and drops any hanging request; safe to call twice.</summary>
    public ValueTask DisposeAsync() => _api.DisposeAsync();
}
