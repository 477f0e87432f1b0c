namespace CkafkaSimulator;

/// <summary>STUB: replaced by the simulator helper.</summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    public Uri BaseAddress { get; } = new("http://127.0.0.1:1/");
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
