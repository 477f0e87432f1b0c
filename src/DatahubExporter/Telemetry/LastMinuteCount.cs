namespace DatahubExporter.Telemetry;

/// <summary>
/// How many events happened in the last 60 seconds, counted in one slot per second (a fixed 1 KB, however many
/// events). Thread-safe. The second an event is counted in ends the window a little early or late, never by more
/// than one second.
/// </summary>
internal sealed class LastMinuteCount(TimeProvider time)
{
    private const int Seconds = 60;

    private readonly long[] _second = new long[Seconds];
    private readonly long[] _count = new long[Seconds];
    private readonly Lock _lock = new();

    public void Add()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(now % Seconds);
        lock (_lock)
        {
            if (_second[slot] != now)
            {
                _second[slot] = now;
                _count[slot] = 0;
            }

            _count[slot]++;
        }
    }

    public long Sum()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        long sum = 0;
        lock (_lock)
        {
            for (var i = 0; i < Seconds; i++)
            {
                if (now - _second[i] < Seconds && _second[i] <= now)
                {
                    sum += _count[i];
                }
            }
        }

        return sum;
    }
}
