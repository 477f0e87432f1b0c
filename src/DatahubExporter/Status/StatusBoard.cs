using DatahubExporter.Collectors;

namespace DatahubExporter.Status;

/// <summary>One unit of collection: a scrape path (its <c>collector</c> name) in one region, for one account
/// (null while the exporter has only one).</summary>
internal readonly record struct UnitKey(string Path, string? Account, string Region);

/// <summary>What one finished collection of a unit found: when, whether it worked, how long it took, how many
/// pages it read, why it failed, how many items it kept (after the filters) and how many of them were not running.</summary>
internal sealed record CollectionSummary(DateTimeOffset At, bool Success, double DurationSeconds, int Pages, string? Error, int Items, int NotRunning);

/// <summary>An item that is not running: its status code (null when the API gave none) and text, the API's
/// cleaned message, and since when this process has seen it not running.</summary>
internal sealed record NotRunningItem(string Id, string Name, long? Status, string StatusText, string Message, DateTimeOffset Since);

/// <summary>A unit as the status page shows it. <see cref="NotRunning"/> is as of the last successful collection
/// (<see cref="ItemsAsOf"/>), newest first, at most <see cref="StatusBoard.MaxKeptPerUnit"/> of
/// <see cref="NotRunningCount"/>.</summary>
internal sealed record UnitStatus(UnitKey Key, ScrapePath Path, CollectionSummary Last, DateTimeOffset? ItemsAsOf, int NotRunningCount,
    IReadOnlyList<NotRunningItem> NotRunning);

/// <summary>
/// What the last collections found, for <c>/status</c> (exporter.md "The status page"), and the "status changed"
/// log lines. The engine hands it every finished collection of a unit (success or failure; never an abandoned one
/// nor a scrape that got no collection); the page reads <see cref="Snapshot"/> and never calls the API.
/// Thread-safe: one lock, held for one unit's bookkeeping (linear in its items) and never while logging.
/// </summary>
/// <remarks>
/// Memory stays small for 10,000 tasks: per unit it keeps the last collection's summary, a 64-bit hash of each item's
/// id with its status and since-when (never the id or name strings), and the details (name, message) of at most
/// <see cref="MaxKeptPerUnit"/> items that are not running. Measured: 450 KB for a unit of 10,000 running tasks,
/// 570 KB when none of them runs. A failed collection changes only the summary: the items shown stay those of the
/// last collection that listed them.
/// </remarks>
internal sealed class StatusBoard(ILogger logger)
{
    /// <summary>Items not running whose details each unit keeps for the page; the rest are counted.</summary>
    public const int MaxKeptPerUnit = 200;

    /// <summary>"status changed" lines per collection of a unit; further changes are summed up in one line, so a
    /// flapping account of 10,000 tasks writes at most this many plus one.</summary>
    public const int MaxChangeLines = 20;

    /// <summary>Stands for a missing status in <see cref="ItemState"/>.</summary>
    private const long NoStatus = long.MinValue;

    private readonly Lock _lock = new();
    private readonly Dictionary<UnitKey, Unit> _units = [];

    /// <summary>Records one finished collection of <paramref name="path"/> in <paramref name="outcome"/>'s region and logs
    /// the status changes since the unit's previous listing (none for its first one since start).</summary>
    public void Record(ScrapePath path, RegionOutcome outcome, DateTimeOffset completedAt, int pages)
    {
        var key = new UnitKey(path.Name, outcome.Account, outcome.Region);
        var codes = path.StatusTexts;
        List<Change> changes = [];
        var changed = 0;
        lock (_lock)
        {
            if (!_units.TryGetValue(key, out var unit))
            {
                _units[key] = unit = new Unit(path);
            }

            if (!outcome.Success)
            {
                unit.Last = new CollectionSummary(completedAt, false, outcome.DurationSeconds, pages, outcome.Error, 0, 0);
                return;
            }

            var previous = unit.Listed;
            var seen = new Dictionary<ulong, ItemState>(codes.Any ? outcome.Items.Count : 0);
            List<(ListedItem Item, DateTimeOffset Since)> notRunning = [];
            if (codes.Any)
            {
                foreach (var item in outcome.Items)
                {
                    var hash = IdHash(item.Id);
                    var status = item.Status ?? NoStatus;
                    var running = status == StatusTexts.Running;
                    var before = previous is not null && previous.TryGetValue(hash, out var b) ? b : (ItemState?)null;
                    var since = running ? default : before is { Status: not StatusTexts.Running } was ? was.Since : completedAt;
                    seen[hash] = new ItemState(status, since);
                    if (!running)
                    {
                        notRunning.Add((item, since));
                    }

                    if (before is { } from && from.Status != status)
                    {
                        if (++changed <= MaxChangeLines)
                        {
                            changes.Add(new Change(item, from.Status, status));
                        }
                    }
                }
            }

            unit.Listed = seen;
            unit.ItemsAsOf = completedAt;
            unit.NotRunningCount = notRunning.Count;
            unit.NotRunning = notRunning
                .OrderByDescending(n => n.Since)
                .ThenBy(n => n.Item.Id, StringComparer.Ordinal)
                .Take(MaxKeptPerUnit)
                .Select(n => new NotRunningItem(n.Item.Id, n.Item.Name, n.Item.Status, codes.Text(n.Item.Status), n.Item.ErrorMessage, n.Since))
                .ToArray();
            unit.Last = new CollectionSummary(completedAt, true, outcome.DurationSeconds, pages, null, outcome.Items.Count, notRunning.Count);
        }

        // Outside the lock: a slow log sink must not hold up the page or another unit.
        foreach (var change in changes)
        {
            var (from, to) = (codes.Text(Code(change.From)), codes.Text(Code(change.To)));
            if (outcome.Account is null)
            {
                logger.LogInformation("status changed collector={Collector} region={Region} id={Id} name={Name} from={From} to={To} message={Message}",
                    path.Name, outcome.Region, change.Item.Id, change.Item.Name, from, to, change.Item.ErrorMessage);
            }
            else
            {
                logger.LogInformation("status changed collector={Collector} account={Account} region={Region} id={Id} name={Name} from={From} to={To} message={Message}",
                    path.Name, outcome.Account, outcome.Region, change.Item.Id, change.Item.Name, from, to, change.Item.ErrorMessage);
            }
        }

        if (changed > MaxChangeLines)
        {
            if (outcome.Account is null)
            {
                logger.LogInformation("status changes left out collector={Collector} region={Region} changes={Changes} logged={Logged} left_out={LeftOut}",
                    path.Name, outcome.Region, changed, MaxChangeLines, changed - MaxChangeLines);
            }
            else
            {
                logger.LogInformation("status changes left out collector={Collector} account={Account} region={Region} changes={Changes} logged={Logged} left_out={LeftOut}",
                    path.Name, outcome.Account, outcome.Region, changed, MaxChangeLines, changed - MaxChangeLines);
            }
        }
    }

    /// <summary>Every unit collected so far, by path, account and region.</summary>
    public IReadOnlyList<UnitStatus> Snapshot()
    {
        lock (_lock)
        {
            return _units
                .Where(u => u.Value.Last is not null)
                .Select(u => new UnitStatus(u.Key, u.Value.Path, u.Value.Last!, u.Value.ItemsAsOf, u.Value.NotRunningCount, u.Value.NotRunning))
                .OrderBy(u => u.Key.Path, StringComparer.Ordinal)
                .ThenBy(u => u.Key.Account, StringComparer.Ordinal)
                .ThenBy(u => u.Key.Region, StringComparer.Ordinal)
                .ToList();
        }
    }

    private static long? Code(long status) => status == NoStatus ? null : status;

    /// <summary>FNV-1a over the id's UTF-16 units: 8 bytes an item instead of its string. Two ids of one unit
    /// sharing a hash (about 1 in 10^11 for 10,000 ids) would only mix up their since-when and change lines.</summary>
    internal static ulong IdHash(string id)
    {
        var hash = new Fnv1a64();
        hash.Append(id.AsSpan());
        return hash.Value;
    }

    private readonly record struct ItemState(long Status, DateTimeOffset Since);

    private readonly record struct Change(ListedItem Item, long From, long To);

    /// <summary>One unit's memory; guarded by the board's lock.</summary>
    private sealed class Unit(ScrapePath path)
    {
        public ScrapePath Path { get; } = path;

        public CollectionSummary? Last { get; set; }

        /// <summary>Every item of the last listing by id hash; null until the unit's first successful collection.</summary>
        public Dictionary<ulong, ItemState>? Listed { get; set; }

        public DateTimeOffset? ItemsAsOf { get; set; }

        public int NotRunningCount { get; set; }

        public NotRunningItem[] NotRunning { get; set; } = [];
    }
}
