namespace CkafkaSimulator;

/// <summary>
/// The faults installed in one simulator and what they do to each accepted request: the
/// <see cref="IAnswerPlanner"/> the full simulator plugs into the API look-alike. Thread-safe (one lock);
/// a change takes effect on the next request that arrives.
/// </summary>
internal sealed class FaultStore : IAnswerPlanner
{
    private readonly object _gate = new();
    private readonly List<FaultEntry> _faults = [];

    /// <summary>See <see cref="SimulatorStateFaults"/>.</summary>
    public void Add(Fault fault, string? action, string? region, int? count)
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

    public void Clear()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    public IReadOnlyList<ActiveFault> Active
    {
        get
        {
            lock (_gate)
            {
                return _faults.Select(f => new ActiveFault(f.Fault, f.Action, f.Region, f.Remaining, f.Applied)).ToArray();
            }
        }
    }

    /// <summary>Decides what the faults do to one accepted request and consumes one-shot faults. The rate window
    /// counts <paramref name="arrived"/> (spec §5), not the moment after the body was read and the signature checked:
    /// on a busy 2-core machine that added tens of ms of jitter, so a client pacing at the limit was refused for
    /// requests that reached the server more than a second apart.</summary>
    public AnswerPlan Plan(string action, string region, DateTimeOffset arrived)
    {
        lock (_gate)
        {
            if (_faults.Count == 0)
            {
                return AnswerPlan.None;
            }
            var plan = new AnswerPlan();
            Fault? decisive = null;
            Fault? lostList = null;
            var truncate = false;
            var loneSurrogate = false;
            var matching = _faults.Where(f => Matches(f.Action, action) && Matches(f.Region, region)).ToList();

            // Latency and the answer-replacing kinds first, so shaping faults are consumed only when they shape.
            foreach (var entry in matching.Where(e => !IsShaping(e.Fault.Kind)))
            {
                var fault = entry.Fault;
                if (fault.Kind == FaultKind.Latency)
                {
                    plan.Delay += fault.Delay;
                }
                else if (decisive is null && (fault.Kind != FaultKind.RateLimit || !entry.Admit(action, region, arrived)))
                {
                    decisive = fault;
                }
                else
                {
                    continue;
                }
                Consume(entry, plan);
            }
            if (decisive is null)
            {
                foreach (var entry in matching.Where(e => IsShaping(e.Fault.Kind)))
                {
                    var fault = entry.Fault;
                    switch (fault.Kind)
                    {
                        case FaultKind.TruncatedJson:
                            truncate = true;
                            break;
                        case FaultKind.TotalCountDrift:
                            // The n-th page served under this fault is off by n × delta: the count moves between pages.
                            plan.CountDrift += fault.Delta * entry.Applied;
                            break;
                        case FaultKind.NullFields:
                            if (fault.NullList)
                            {
                                plan.NullList = true;
                            }
                            else
                            {
                                plan.NullItemFields = true;
                            }
                            break;
                        case FaultKind.DuplicateItems:
                            plan.Overlap = Math.Max(plan.Overlap, fault.Overlap);
                            break;
                        case FaultKind.LoneSurrogate:
                            loneSurrogate = true;
                            break;
                        case FaultKind.LostList:
                            lostList = fault;
                            break;
                        case FaultKind.OversizedBody:
                            plan.PaddingBytes = Math.Max(plan.PaddingBytes, fault.Bytes);
                            break;
                        case FaultKind.PartitionErrors:
                            plan.DamagedPartitions = true;
                            break;
                    }
                    Consume(entry, plan);
                }
            }
            _faults.RemoveAll(f => f.Remaining == 0);
            if (decisive is not null)
            {
                plan.Replace = answer => FaultAnswers.ReplaceAsync(answer, decisive);
            }
            else if (truncate || lostList is not null || loneSurrogate)
            {
                plan.Rewrite = answer => FaultAnswers.Rewrite(answer, lostList, loneSurrogate, truncate);
            }
            return plan;
        }
    }

    private static bool IsShaping(FaultKind kind) =>
        kind is FaultKind.TruncatedJson or FaultKind.TotalCountDrift or FaultKind.NullFields or FaultKind.DuplicateItems or FaultKind.OversizedBody
            or FaultKind.LoneSurrogate or FaultKind.LostList or FaultKind.PartitionErrors;

    private static void Consume(FaultEntry entry, AnswerPlan plan)
    {
        plan.Applied.Add(entry.Fault.Kind);
        entry.Applied++;
        if (entry.Remaining is { } remaining)
        {
            entry.Remaining = remaining - 1;
        }
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
