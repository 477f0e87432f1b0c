using System.Collections.Concurrent;
using System.Diagnostics;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>
/// The shared machinery of both scrape paths: every configured region in parallel, under one deadline;
/// concurrent scrapes join the collection in flight (two Prometheus replicas must not double API calls);
/// an optional TTL serves the last fully successful result. A failing region costs exactly one error-count
/// increment per collection and never hides the other regions. Thread-safe.
/// </summary>
public abstract class ScrapeCollector<TItem> : IScrapeCollector
{
    private readonly ConfigHolder _config;
    private readonly ScrapeMetrics _scrapeMetrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheTtl;
    private readonly ConcurrentDictionary<string, long[]> _errorCounts = new(StringComparer.Ordinal);
    private static readonly TimeSpan MaxStopMargin = TimeSpan.FromMilliseconds(200);
    private readonly Lock _lock = new();
    private Task<CollectionResult<TItem>>? _inFlight;
    private CollectionResult<TItem>? _lastGood;
    private (CollectionResult<TItem> Result, ScrapeAnswer Answer)? _lastAnswer;

    protected ScrapeCollector(ConfigHolder config, ScrapeMetrics scrapeMetrics, TimeSpan cacheTtl, ILogger logger, TimeProvider time)
    {
        _config = config;
        _scrapeMetrics = scrapeMetrics;
        _cacheTtl = cacheTtl;
        Logger = logger;
        _time = time;
    }

    public abstract string Name { get; }

    protected ILogger Logger { get; }

    /// <summary>The compatibility error-count gauge of this path, e.g. <c>datahub_task_error_count</c>.</summary>
    protected abstract string ErrorCountName { get; }

    protected abstract string ErrorCountHelp { get; }

    /// <summary>All items of one region (all pages).</summary>
    protected abstract Task<IReadOnlyList<TItem>> FetchAsync(ApiTarget target, CancellationToken cancellationToken);

    /// <summary>Adds the item families (status, info) for the successful regions, in region order.</summary>
    protected abstract void AddItemFamilies(IReadOnlyList<RegionOutcome<TItem>> successful, List<MetricFamily> families);

    /// <summary>Failed collections of <paramref name="region"/> since start.</summary>
    public long ErrorCount(string region) => _errorCounts.TryGetValue(region, out var c) ? Interlocked.Read(ref c[0]) : 0;

    public async Task<ScrapeAnswer> ScrapeAsync(TimeSpan budget, CancellationToken requestAborted)
    {
        Task<CollectionResult<TItem>> collection;
        CollectionResult<TItem>? cached = null;
        lock (_lock)
        {
            if (_cacheTtl > TimeSpan.Zero && _lastGood is { } good && _time.GetUtcNow() - good.CompletedAt < _cacheTtl)
            {
                cached = good;
                collection = Task.FromResult(good);
                _scrapeMetrics.Count(Name, ScrapeMetrics.Cached);
            }
            else if (_inFlight is { IsCompleted: false } running)
            {
                collection = running;
                _scrapeMetrics.Count(Name, ScrapeMetrics.Joined);
            }
            else
            {
                // The collection stops itself a little before the budget, so that its own failure is recorded
                // and answered before this scrape's wait (the budget itself) runs out.
                collection = _inFlight = CollectAsync(budget - TimeSpan.FromTicks(Math.Min(MaxStopMargin.Ticks, budget.Ticks / 5)));
                _scrapeMetrics.Count(Name, ScrapeMetrics.Collected);
            }
        }

        CollectionResult<TItem> result;
        try
        {
            // The collection bounds itself by the budget of the scrape that started it; a joiner whose own
            // budget is shorter stops waiting at its budget and answers with a failed collection in time.
            result = await collection.WaitAsync(budget, _time, requestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var regions = _config.Current.Regions;
            result = new CollectionResult<TItem>(
                regions.Select(r => new RegionOutcome<TItem>(r, false, budget.TotalSeconds, [], "scrape deadline passed while waiting for a shared collection")).ToList(),
                _time.GetUtcNow());
        }

        if (cached is not null)
        {
            // The cache age differs for every scrape, so a cached answer is rendered afresh each time.
            return new ScrapeAnswer(Render(result, _time.GetUtcNow() - cached.CompletedAt), result.AllSucceeded);
        }

        lock (_lock)
        {
            // Every scrape that shared this collection shares one answer (and its serialised payloads).
            if (_lastAnswer is { } last && ReferenceEquals(last.Result, result))
            {
                return last.Answer;
            }

            var answer = new ScrapeAnswer(Render(result, null), result.AllSucceeded);
            _lastAnswer = (result, answer);
            return answer;
        }
    }

    private async Task<CollectionResult<TItem>> CollectAsync(TimeSpan budget)
    {
        // Yield first so the caller's lock is released before any work starts.
        await Task.Yield();
        var config = _config.Current;
        using var deadline = new CancellationTokenSource(budget, _time);
        var outcomes = await Task.WhenAll(config.Regions.Select(region =>
            CollectRegionAsync(new ApiTarget(region, config.EndpointFor(region), config.Credentials), deadline.Token))).ConfigureAwait(false);
        var result = new CollectionResult<TItem>(outcomes, _time.GetUtcNow());
        if (result.AllSucceeded)
        {
            lock (_lock)
            {
                _lastGood = result;
            }
        }

        return result;
    }

    private async Task<RegionOutcome<TItem>> CollectRegionAsync(ApiTarget target, CancellationToken deadline)
    {
        var started = Stopwatch.GetTimestamp();
        string error;
        try
        {
            var items = await FetchAsync(target, deadline).ConfigureAwait(false);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Logger.LogDebug("collection succeeded collector={Collector} region={Region} items={Items} duration_seconds={Duration}",
                Name, target.Region, items.Count, seconds);
            return new RegionOutcome<TItem>(target.Region, true, seconds, items, null);
        }
        catch (TencentCloudException e)
        {
            error = e.Message;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            error = "scrape deadline exceeded";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug or an answer nobody foresaw: still only this region's collection fails.
            error = $"unexpected {e.GetType().Name}: {e.Message}";
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Interlocked.Increment(ref _errorCounts.GetOrAdd(target.Region, _ => new long[1])[0]);
        Logger.LogWarning("collection failed collector={Collector} region={Region} duration_seconds={Duration} err={Error}",
            Name, target.Region, elapsed, error);
        return new RegionOutcome<TItem>(target.Region, false, elapsed, [], error);
    }

    private List<MetricFamily> Render(CollectionResult<TItem> result, TimeSpan? cacheAge)
    {
        var families = new List<MetricFamily>(8)
        {
            new(ErrorCountName, ErrorCountHelp, MetricType.Gauge,
                result.Regions.Select(r => new Sample(ErrorCountName, [new Label("region", r.Region)], ErrorCount(r.Region))).ToList()),
        };
        AddItemFamilies(result.Regions.Where(r => r.Success).ToList(), families);
        families.Add(new MetricFamily("datahub_exporter_collect_success",
            "Whether the last collection of this collector for this region succeeded (1) or failed (0).",
            MetricType.Gauge,
            result.Regions.Select(r => new Sample("datahub_exporter_collect_success", RegionCollector(r.Region), r.Success ? 1 : 0)).ToList()));
        families.Add(new MetricFamily("datahub_exporter_collect_duration_seconds",
            "How long the last collection of this collector for this region took, all pages and retries included.",
            MetricType.Gauge,
            result.Regions.Select(r => new Sample("datahub_exporter_collect_duration_seconds", RegionCollector(r.Region), r.DurationSeconds)).ToList()));
        if (_cacheTtl > TimeSpan.Zero)
        {
            families.Add(new MetricFamily("datahub_exporter_cache_age_seconds",
                "Age of the data in this answer: 0 when collected for this scrape, more when served from the --cache.ttl cache.",
                MetricType.Gauge,
                [new Sample("datahub_exporter_cache_age_seconds", [new Label("collector", Name)], cacheAge?.TotalSeconds ?? 0)]));
        }

        return families;
    }

    /// <summary>
    /// The two item families every path has: <c>…_status</c> (the compatibility series: region plus the item's
    /// identity labels, value the API's status code; items without a status get none) and <c>…_info</c>
    /// (identity plus descriptive labels, value 1).
    /// </summary>
    protected static void AddStatusAndInfo(IReadOnlyList<RegionOutcome<TItem>> successful, List<MetricFamily> families,
        (string Name, string Help) status, (string Name, string Help) info,
        Func<TItem, long?> statusOf, Func<TItem, Label[]> identity, Func<TItem, Label[]> description)
    {
        var statusSamples = new List<Sample>();
        var infoSamples = new List<Sample>();
        foreach (var region in successful)
        {
            var regionLabel = new Label("region", region.Region);
            foreach (var item in region.Items)
            {
                Label[] id = [regionLabel, .. identity(item)];
                if (statusOf(item) is { } code)
                {
                    statusSamples.Add(new Sample(status.Name, id, code));
                }

                infoSamples.Add(new Sample(info.Name, [.. id, .. description(item)], 1));
            }
        }

        families.Add(new MetricFamily(status.Name, status.Help, MetricType.Gauge, statusSamples));
        families.Add(new MetricFamily(info.Name, info.Help, MetricType.Gauge, infoSamples));
    }

    private Label[] RegionCollector(string region) => [new Label("region", region), new Label("collector", Name)];
}
