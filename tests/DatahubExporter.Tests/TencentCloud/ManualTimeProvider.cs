namespace DatahubExporter.Tests.TencentCloud;

/// <summary>
/// A clock that moves only when told. With <see cref="AutoAdvanceUpTo"/> set, a timer due within that span
/// fires at once (on the thread pool) after moving the clock to its due time, so backoffs and limiter
/// waits cost no real time while the 30 s attempt timeout never fires by itself.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<FakeTimer> _timers = [];
    private readonly List<TimeSpan> _created = [];
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2024, 12, 4, 8, 21, 8, TimeSpan.Zero);

    public TimeSpan? AutoAdvanceUpTo { get; init; }

    /// <summary>Raised with the due time of every timer created (not on Change).</summary>
    public event Action<TimeSpan>? TimerCreated;

    /// <summary>Due times of all timers created so far, in creation order.</summary>
    public IReadOnlyList<TimeSpan> CreatedTimers
    {
        get
        {
            lock (_gate)
            {
                return [.. _created];
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        lock (_gate)
        {
            _created.Add(dueTime);
        }
        timer.Change(dueTime, period);
        TimerCreated?.Invoke(dueTime);
        if (AutoAdvanceUpTo is { } limit && dueTime >= TimeSpan.Zero && dueTime <= limit)
        {
            var due = timer.Due;
            ThreadPool.QueueUserWorkItem(_ => AdvanceTo(due));
        }
        return timer;
    }

    public void Advance(TimeSpan by) => AdvanceTo(GetUtcNow() + by);

    private void AdvanceTo(DateTimeOffset target)
    {
        List<FakeTimer> due;
        lock (_gate)
        {
            if (target > _now)
            {
                _now = target;
            }
            due = _timers.Where(t => t.Due <= _now).OrderBy(t => t.Due).ToList();
            foreach (var t in due)
            {
                _timers.Remove(t);
                if (t.Period > TimeSpan.Zero)
                {
                    t.Due = _now + t.Period;
                    _timers.Add(t);
                }
            }
        }
        foreach (var t in due)
        {
            t.Fire();
        }
    }

    private sealed class FakeTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                Period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }
                Due = owner._now + dueTime;
                owner._timers.Add(this);
            }
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
