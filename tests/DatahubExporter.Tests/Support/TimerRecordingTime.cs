namespace DatahubExporter.Tests.Support;

/// <summary>
/// <see cref="FakeTimeProvider"/> that also remembers the due time of every timer created and, with
/// <see cref="AutoFireWithin"/> set, moves the clock to a timer's due time at once (on the thread pool) when it is
/// due within that span: backoffs and limiter waits then cost no real time while a 30 s attempt timeout never fires
/// by itself. <see cref="FakeTimeProvider"/> has no such mode (its <c>AutoAdvanceAmount</c> moves on every read).
/// </summary>
internal sealed class TimerRecordingTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    /// <summary>The start the TencentCloud tests' signatures and dates were written against.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2024, 12, 4, 8, 21, 8, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly Lock _moving = new();
    private readonly List<TimeSpan> _created = [];

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

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var due = GetUtcNow() + (dueTime > TimeSpan.Zero ? dueTime : TimeSpan.Zero);
        var timer = base.CreateTimer(callback, state, dueTime, period);
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
}
