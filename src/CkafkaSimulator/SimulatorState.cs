namespace CkafkaSimulator;

/// <summary>
/// The live state of a <see cref="SimulatorServer"/>: the data each region serves, the injected faults and
/// the request counters. Thread-safe (one lock); every change takes effect on the next request that
/// arrives, never on one already being answered.
/// </summary>
public sealed class SimulatorState
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly int _logCapacity;
    private SimulatorDataSet _data;
    private readonly Dictionary<string, SimulatorDataSet> _regionData;
    private readonly List<FaultEntry> _faults = [];
    private readonly Dictionary<(string Action, string Region), long> _requests = [];
    private readonly Dictionary<(string Code, string Action, string Region), long> _errors = [];
    private readonly Queue<ReceivedRequest> _log = new();
    private readonly Dictionary<string, TemporaryKey> _temporaryKeys = new(StringComparer.Ordinal);
    private long _temporaryKeysIssued; // numbers the ids, so a log shows which issue it was

    internal SimulatorState(SimulatorOptions options)
    {
        _time = options.Time;
        _logCapacity = Math.Max(0, options.RequestLogCapacity);
        _data = options.DataSet;
        _regionData = new Dictionary<string, SimulatorDataSet>(options.RegionDataSets, StringComparer.Ordinal);
    }

    /// <summary>Issues fresh temporary credentials valid for <paramref name="lifetime"/> from now (random values, so a
    /// test can tell each issue apart). The fakes of the CVM metadata service and STS hand these out.</summary>
    public TemporaryKey IssueTemporaryKey(TimeSpan lifetime)
    {
        lock (_gate)
        {
            var n = ++_temporaryKeysIssued;
            var key = new TemporaryKey($"AKIDtmp{n:D4}{Guid.NewGuid():N}", $"tmpKey{Guid.NewGuid():N}", $"tmpToken{Guid.NewGuid():N}{Guid.NewGuid():N}",
                _time.GetUtcNow() + lifetime);
            _temporaryKeys[key.SecretId] = key;
            return key;
        }
    }

    /// <summary>Makes a temporary SecretId unknown at once, as if the role had been unbound. False when it was not issued.</summary>
    public bool RevokeTemporaryKey(string secretId)
    {
        lock (_gate)
        {
            return _temporaryKeys.Remove(secretId);
        }
    }

    internal TemporaryKey? FindTemporaryKey(string secretId)
    {
        lock (_gate)
        {
            return _temporaryKeys.GetValueOrDefault(secretId);
        }
    }

    /// <summary>The data <paramref name="region"/> serves now.</summary>
    public SimulatorDataSet Data(string region)
    {
        lock (_gate)
        {
            return _regionData.GetValueOrDefault(region) ?? _data;
        }
    }

    /// <summary>Replaces the data of one region, or with a null region the default data (regions with their own data keep it).</summary>
    public void SetData(SimulatorDataSet data, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        lock (_gate)
        {
            if (region is null)
            {
                _data = data;
            }
            else
            {
                _regionData[region] = data;
            }
        }
    }

    /// <summary>Sets a task's status everywhere, or in one region only (that region then gets its own copy of the data).</summary>
    /// <returns>False when no such task exists where it was looked for.</returns>
    public bool SetTaskStatus(string taskId, long status, string? region = null, string? errorMessage = null) =>
        UpdateTask(taskId, t => t with { Status = status, ErrorMessage = errorMessage ?? t.ErrorMessage }, region);

    /// <summary>Sets a resource's status; same region rules as <see cref="SetTaskStatus"/>.</summary>
    public bool SetResourceStatus(string resourceId, long status, string? region = null, string? errorMessage = null) =>
        UpdateResource(resourceId, r => r with { Status = status, ErrorMessage = errorMessage ?? r.ErrorMessage }, region);

    /// <summary>Replaces a task by <paramref name="change"/>'s result, or removes it when that is null.</summary>
    public bool UpdateTask(string taskId, Func<SimulatedTask, SimulatedTask?> change, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Update(region, data =>
        {
            var index = IndexOf(data.Tasks, t => t.TaskId == taskId);
            if (index < 0)
            {
                return null;
            }
            var tasks = data.Tasks.ToList();
            var changed = change(tasks[index]);
            if (changed is null)
            {
                tasks.RemoveAt(index);
            }
            else
            {
                tasks[index] = changed;
            }
            return new SimulatorDataSet(tasks, data.Resources);
        });
    }

    /// <summary>Replaces a resource by <paramref name="change"/>'s result, or removes it when that is null.</summary>
    public bool UpdateResource(string resourceId, Func<SimulatedResource, SimulatedResource?> change, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Update(region, data =>
        {
            var index = IndexOf(data.Resources, r => r.ResourceId == resourceId);
            if (index < 0)
            {
                return null;
            }
            var resources = data.Resources.ToList();
            var changed = change(resources[index]);
            if (changed is null)
            {
                resources.RemoveAt(index);
            }
            else
            {
                resources[index] = changed;
            }
            return new SimulatorDataSet(data.Tasks, resources);
        });
    }

    /// <summary>
    /// Installs a fault for one action and/or region (null = all). Faults add up: every matching latency
    /// delays; the first matching error / rate limit hit / HTTP status / hang / malformed body decides the
    /// answer; the shaping kinds (truncation, drift, nulls, duplicates, padding) all apply to a normal answer.
    /// With <paramref name="count"/> the fault affects that many requests and then goes away; a rate limit
    /// counts only the requests it rejects. Faults apply only to requests that passed authentication and
    /// header checks, so an auth test is never disturbed by one.
    /// </summary>
    public void SetFault(Fault fault, string? action = null, string? region = null, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (count is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "must be at least 1, or null for a persistent fault");
        }
        lock (_gate)
        {
            _faults.Add(new FaultEntry(fault, action, region, count));
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    public IReadOnlyList<ActiveFault> Faults
    {
        get
        {
            lock (_gate)
            {
                return _faults.Select(f => new ActiveFault(f.Fault, f.Action, f.Region, f.Remaining, f.Applied)).ToArray();
            }
        }
    }

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

    /// <summary>Decides what the faults do to one accepted request and consumes one-shot faults.</summary>
    internal FaultPlan Plan(string action, string region)
    {
        lock (_gate)
        {
            if (_faults.Count == 0)
            {
                return FaultPlan.None;
            }
            var now = _time.GetUtcNow();
            var plan = new FaultPlan();
            var matching = _faults.Where(f => Matches(f.Action, action) && Matches(f.Region, region)).ToList();

            // Latency and the answer-replacing kinds first, so shaping faults are consumed only when they shape.
            foreach (var entry in matching.Where(e => !IsShaping(e.Fault.Kind)))
            {
                var fault = entry.Fault;
                if (fault.Kind == FaultKind.Latency)
                {
                    plan.Delay += fault.Delay;
                }
                else if (plan.Decisive is null && (fault.Kind != FaultKind.RateLimit || !entry.Admit(action, region, now)))
                {
                    plan.Decisive = fault;
                }
                else
                {
                    continue;
                }
                Consume(entry, plan);
            }
            if (plan.Decisive is null)
            {
                foreach (var entry in matching.Where(e => IsShaping(e.Fault.Kind)))
                {
                    var fault = entry.Fault;
                    switch (fault.Kind)
                    {
                        case FaultKind.TruncatedJson:
                            plan.Truncate = true;
                            break;
                        case FaultKind.TotalCountDrift:
                            // The n-th page served under this fault is off by n × delta: the count moves between pages.
                            plan.CountDrift += fault.Delta * entry.Applied;
                            break;
                        case FaultKind.NullFields:
                            plan.NullFields = fault;
                            break;
                        case FaultKind.DuplicateItems:
                            plan.Overlap = Math.Max(plan.Overlap, fault.Overlap);
                            break;
                        case FaultKind.LoneSurrogate:
                            plan.LoneSurrogate = true;
                            break;
                        case FaultKind.LostList:
                            plan.LostList = fault;
                            break;
                        case FaultKind.OversizedBody:
                            plan.PaddingBytes = Math.Max(plan.PaddingBytes, fault.Bytes);
                            break;
                    }
                    Consume(entry, plan);
                }
            }
            _faults.RemoveAll(f => f.Remaining == 0);
            return plan;
        }
    }

    private static bool IsShaping(FaultKind kind) =>
        kind is FaultKind.TruncatedJson or FaultKind.TotalCountDrift or FaultKind.NullFields or FaultKind.DuplicateItems or FaultKind.OversizedBody
            or FaultKind.LoneSurrogate or FaultKind.LostList;

    private static void Consume(FaultEntry entry, FaultPlan plan)
    {
        plan.Applied.Add(entry.Fault.Kind);
        entry.Applied++;
        if (entry.Remaining is { } remaining)
        {
            entry.Remaining = remaining - 1;
        }
    }

    private bool Update(string? region, Func<SimulatorDataSet, SimulatorDataSet?> change)
    {
        lock (_gate)
        {
            if (region is not null)
            {
                var changed = change(_regionData.GetValueOrDefault(region) ?? _data);
                if (changed is not null)
                {
                    _regionData[region] = changed;
                }
                return changed is not null;
            }
            var found = false;
            if (change(_data) is { } newDefault)
            {
                _data = newDefault;
                found = true;
            }
            foreach (var key in _regionData.Keys.ToArray())
            {
                if (change(_regionData[key]) is { } newRegion)
                {
                    _regionData[key] = newRegion;
                    found = true;
                }
            }
            return found;
        }
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> predicate)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (predicate(items[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool Matches(string? filter, string value) => filter is null || string.Equals(filter, value, StringComparison.Ordinal);

    private sealed class FaultEntry(Fault fault, string? action, string? region, int? remaining)
    {
        private readonly Dictionary<(string, string), Queue<DateTimeOffset>> _windows = [];

        public Fault Fault { get; } = fault;
        public string? Action { get; } = action;
        public string? Region { get; } = region;
        public int? Remaining { get; set; } = remaining;
        public long Applied { get; set; }

        /// <summary>Sliding one-second window per action and region; only admitted requests fill it.</summary>
        public bool Admit(string action, string region, DateTimeOffset now)
        {
            if (!_windows.TryGetValue((action, region), out var window))
            {
                window = new Queue<DateTimeOffset>();
                _windows[(action, region)] = window;
            }
            while (window.Count > 0 && now - window.Peek() >= TimeSpan.FromSeconds(1))
            {
                window.Dequeue();
            }
            if (window.Count >= Fault.PerSecond)
            {
                return false;
            }
            window.Enqueue(now);
            return true;
        }
    }
}
