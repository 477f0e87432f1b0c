namespace DatahubExporter.Tests.Support;

/// <summary>
/// <see cref="FakeTimeProvider"/> that also remembers the due time of every timer created and, with
/// <see cref="AutoFireWithin"/> set, moves the clock to a timer's due time at once (on the thread pool) when it is
/// due within that span: backoffs and limiter waits then cost no real time while a 30 s attempt timeout never fires
/// by itself. <see cref="FakeTimeProvider"/> has no such mode (its <c>AutoAdvanceAmount</c> moves on every read).
/// It also counts the callbacks run (<see cref="TimersFired"/>) and the re-armings (<see cref="TimersChanged"/>), so a
/// test can tell that a background loop has reached a known state instead of waiting and hoping.
/// </summary>
internal sealed class TimerRecordingTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    /// <summary>The start the TencentCloud tests' signatures and dates were written against.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2024, 12, 4, 8, 21, 8, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly Lock _moving = new();
    private readonly List<TimeSpan> _created = [];
    private int _fired;
    private int _changed;

    public TimerRecordingTime()
        : this(DefaultStart)
    {
    }

    public TimeSpan? AutoFireWithin { get; init; }

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

    /// <summary>Timer callbacks run so far. <see cref="FakeTimeProvider"/> runs a due timer's callback on the thread that
    /// moves the clock, before <c>Advance</c> returns: read right after it, this says whether any timer came due.</summary>
    public int TimersFired => Volatile.Read(ref _fired);

    /// <summary><c>Change</c> calls on the timers created so far, counted once the new due time is set (a loop that
    /// re-arms its timer as the last step of each round has finished that many rounds).</summary>
    public int TimersChanged => Volatile.Read(ref _changed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var due = GetUtcNow() + (dueTime > TimeSpan.Zero ? dueTime : TimeSpan.Zero);
        var timer = new CountingTimer(base.CreateTimer(s =>
        {
            Interlocked.Increment(ref _fired);
            callback(s);
        }, state, dueTime, period), this);
        lock (_gate)
        {
            _created.Add(dueTime);
        }

        TimerCreated?.Invoke(dueTime);
        if (AutoFireWithin is { } limit && dueTime >= TimeSpan.Zero && dueTime <= limit)
        {
            ThreadPool.QueueUserWorkItem(_ => MoveTo(due));
        }

        return timer;
    }

    private void MoveTo(DateTimeOffset target)
    {
        // Two auto-fired timers may race; the clock only ever moves forward.
        lock (_moving)
        {
            if (target > GetUtcNow())
            {
                SetUtcNow(target);
            }
            else
            {
                Advance(TimeSpan.Zero);
            }
        }
    }

    private sealed class CountingTimer(ITimer inner, TimerRecordingTime owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            Interlocked.Increment(ref owner._changed);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
