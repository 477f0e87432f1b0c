using System.Collections.Concurrent;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.Support;

/// <summary>Keeps every observer call, in order, for assertions.</summary>
internal sealed class RecordingObserver : IApiObserver
{
    private readonly ConcurrentQueue<(string Action, string Region, string Code, double Seconds)> _requests = new();
    private readonly ConcurrentQueue<(string Action, string Region, string Code)> _retries = new();
    private readonly ConcurrentQueue<(string Action, string Region, double Seconds)> _waits = new();

    public IReadOnlyList<(string Action, string Region, string Code, double Seconds)> Requests => [.. _requests];

    public IReadOnlyList<string> RequestCodes => [.. _requests.Select(r => r.Code)];

    public IReadOnlyList<(string Action, string Region, string Code)> Retries => [.. _retries];

    public IReadOnlyList<(string Action, string Region, double Seconds)> LimiterWaits => [.. _waits];

    public void RequestCompleted(string action, string region, string code, double seconds, string? account = null) =>
        _requests.Enqueue((action, region, code, seconds));

    public void Retrying(string action, string region, string code, string? account = null) => _retries.Enqueue((action, region, code));

    public void LimiterWaited(string action, string region, double seconds, string? account = null) => _waits.Enqueue((action, region, seconds));
}
