namespace CkafkaSimulator;

// What the simulator has been asked: counters per action, region and code, the request log, requests in flight.
public sealed partial class SimulatorState
{
    private readonly Dictionary<(string Action, string Region), long> _requests = [];
    private readonly Dictionary<(string Code, string Action, string Region), long> _errors = [];
    private readonly Queue<ReceivedRequest> _log = new();

    /// <summary>API requests received (every one, rejected included), optionally for one action and/or region.</summary>
    public long RequestCount(string? action = null, string? region = null)
    {
        lock (_gate)
        {
            return _requests.Where(kv => Matches(action, kv.Key.Action) && Matches(region, kv.Key.Region)).Sum(kv => kv.Value);
        }
    }

    /// <summary>Tencent error envelopes answered, optionally for one code, action and/or region.</summary>
    public long ErrorCount(string? code = null, string? action = null, string? region = null)
    {
        lock (_gate)
        {
            return _errors
                .Where(kv => Matches(code, kv.Key.Code) && Matches(action, kv.Key.Action) && Matches(region, kv.Key.Region))
                .Sum(kv => kv.Value);
        }
    }

    /// <summary>Counts per (action, region); an empty string stands for a missing header.</summary>
    public IReadOnlyDictionary<(string Action, string Region), long> RequestCounts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<(string, string), long>(_requests);
            }
        }
    }

    /// <summary>Counts per (code, action, region).</summary>
    public IReadOnlyDictionary<(string Code, string Action, string Region), long> ErrorCounts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<(string, string, string), long>(_errors);
            }
        }
    }

    /// <summary>The most recent requests, oldest first (capacity <see cref="SimulatorOptions.RequestLogCapacity"/>).</summary>
    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _log.ToArray();
            }
        }
    }

    /// <summary>Zeroes the counters and empties the request log; data and faults stay.</summary>
    public void ResetCounters()
    {
        lock (_gate)
        {
            _requests.Clear();
            _errors.Clear();
            _log.Clear();
        }
    }

    private int _inFlight;
    private int _peakInFlight;

    /// <summary>The most list and lookup requests that were being answered at the same moment since start
    /// (or the last <see cref="ResetPeakInFlight"/>): how a test sees that pages went out concurrently.</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    public void ResetPeakInFlight() => Volatile.Write(ref _peakInFlight, Volatile.Read(ref _inFlight));

    /// <summary>Counts one request as being answered until the returned scope is disposed.</summary>
    internal IDisposable EnterInFlight()
    {
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak)
        {
        }

        return new InFlightScope(this);
    }

    private sealed class InFlightScope(SimulatorState owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._inFlight);
            }
        }
    }

    internal void Record(ReceivedRequest request)
    {
        var action = request.Action ?? "";
        var region = request.Region ?? "";
        lock (_gate)
        {
            _requests[(action, region)] = _requests.GetValueOrDefault((action, region)) + 1;
            if (request.ErrorCode is { } code)
            {
                _errors[(code, action, region)] = _errors.GetValueOrDefault((code, action, region)) + 1;
            }
            if (_logCapacity > 0)
            {
                if (_log.Count >= _logCapacity)
                {
                    _log.Dequeue();
                }
                _log.Enqueue(request);
            }
        }
    }

    private static bool Matches(string? filter, string value) => filter is null || string.Equals(filter, value, StringComparison.Ordinal);
}
