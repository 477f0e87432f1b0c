namespace CkafkaSimulator;

/// <summary>STUB: replaced by the simulator helper.</summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    public Uri BaseAddress { get; } = new("http://127.0.0.1:1/");
    public static Task<SimulatorServer> StartAsync(SimulatorOptions options, CancellationToken ct = default) => throw new NotImplementedException();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>STUB: replaced by the simulator helper.</summary>
public sealed class SimulatorOptions
{
    public const string DemoSecretId = "AKIDdemo";
    public const string DemoSecretKey = "demo";
}
