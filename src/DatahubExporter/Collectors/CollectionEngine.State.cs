namespace DatahubExporter.Collectors;

// What the engine remembers between scrapes (per path) and during one collection.
internal sealed partial class CollectionEngine
{
    /// <summary>A path's mutable state and its units'; every unit field but the error count is guarded by <see cref="Lock"/>.</summary>
    private sealed class PathState(ScrapePath path)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string? Account, string Region), UnitState> _units = new();
        private int _limit = path.PreferredLimit;

        public ScrapePath Path { get; } = path;

        public Lock Lock { get; } = new();

        /// <summary>The page size in use: the preferred one until the API refused it.</summary>
        public int Limit
        {
            get => Volatile.Read(ref _limit);
            set => Volatile.Write(ref _limit, value);
        }

        /// <summary>The state of one (account, region) of this path, made on first use; a unit that leaves the
        /// configuration keeps its error count, as a region did before.</summary>
        public UnitState Unit(string? account, string region) => _units.GetOrAdd((account, region), static _ => new UnitState());

        public long ErrorCount(string? account, string region) => _units.TryGetValue((account, region), out var unit) ? unit.ErrorCount : 0;
    }

    /// <summary>One unit of collection of a path: its single flight, its cache and its error count.</summary>
    private sealed class UnitState
    {
        private long _errorCount;

        public Collection? InFlight { get; set; }

        public (RegionOutcome Outcome, DateTimeOffset CompletedAt)? LastGood { get; set; }

        public long ErrorCount => Interlocked.Read(ref _errorCount);

        public void CountError() => Interlocked.Increment(ref _errorCount);
    }

    /// <summary>One running collection: its deadline (moved later by scrapers that join with more time), its
    /// waiters, and the token that stops it. Mutated only under the path's lock.</summary>
    private sealed class Collection
    {
        private readonly CancellationTokenSource _cts;
        private readonly DateTimeOffset _started;
        private DateTimeOffset _stop;
        private bool _finished;
        private volatile bool _abandoned;

        public Collection(DateTimeOffset now, TimeSpan budget, TimeSpan max, TimeProvider time)
        {
            _started = now;
            _stop = StopFor(now, budget, max);
            _cts = new CancellationTokenSource(_stop - now, time);
        }

        public Task<RegionOutcome> Task { get; set; } = null!;

        /// <summary>The answers scrapers that shared exactly these collections share, made by the first to need each.</summary>
        public List<(Collection[] Collections, ScrapeAnswer Answer)>? Answers { get; set; }

        public int Waiters { get; set; }

        public bool Abandoned => _abandoned;

        public CancellationToken Token => _cts.Token;

        /// <summary>When this collection stops, as far as it is known now.</summary>
        public DateTimeOffset StopAt => _stop;

        /// <summary>How long this collection may run, as far as it is known now.</summary>
        public TimeSpan Budget => _stop - _started;

        /// <summary>A scraper with <paramref name="budget"/> joins: the collection may run until its deadline.</summary>
        public void Extend(DateTimeOffset now, TimeSpan budget, TimeSpan max)
        {
            var stop = StopFor(now, budget, max);
            if (_finished || stop <= _stop)
            {
                return;
            }

            _stop = stop;
            _cts.CancelAfter(stop - now);
        }

        /// <summary>Marks the collection as one nobody waits for; false when it has already finished.</summary>
        public bool MarkAbandoned()
        {
            if (_finished)
            {
                return false;
            }

            _abandoned = true;
            return true;
        }

        public void Cancel()
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It finished in the meantime: nothing left to stop.
            }
        }

        public void Finish()
        {
            _finished = true;
            _cts.Dispose();
        }

        private DateTimeOffset StopFor(DateTimeOffset now, TimeSpan budget, TimeSpan max)
        {
            var margin = TimeSpan.FromTicks(Math.Min(MaxStopMargin.Ticks, budget.Ticks / 5));
            var stop = now + budget - margin;
            var cap = (_started == default ? now : _started) + max;
            return stop < cap ? stop : cap;
        }
    }
}
