using System.Collections.Concurrent;
using DatahubExporter.Exposition;

namespace DatahubExporter.Telemetry;

/// <summary>How scrapes were answered, for <c>/metrics</c>: by a new collection, by joining one already
/// running, from the cache, or with a failure of their own because their deadline passed first (or was
/// too short to start). Each scrape is counted once, when it is answered. Thread-safe counters.</summary>
internal sealed class ScrapeMetrics
{
    public const string Collected = "collected";
    public const string Joined = "joined";
    public const string Cached = "cached";
    public const string TimedOut = "timed_out";

    private readonly ConcurrentDictionary<(string Collector, string How), long[]> _counts = new();

    public void Count(string collector, string how) => Interlocked.Increment(ref _counts.GetOrAdd((collector, how), _ => new long[1])[0]);

    public long Get(string collector, string how) => _counts.TryGetValue((collector, how), out var c) ? Interlocked.Read(ref c[0]) : 0;

    public IEnumerable<MetricFamily> Collect()
    {
        var samples = _counts
            .OrderBy(e => e.Key.Collector, StringComparer.Ordinal).ThenBy(e => e.Key.How, StringComparer.Ordinal)
            .Select(e => new Sample("datahub_exporter_scrapes_total",
                [new Label("collector", e.Key.Collector), new Label("answer", e.Key.How)], Interlocked.Read(ref e.Value[0])))
            .ToList();
        yield return new MetricFamily("datahub_exporter_scrapes_total",
            "Scrapes of the collector paths by how they were answered: collected (started a collection), joined (shared one already running), cached (served within --cache.ttl), timed_out (its own deadline passed first, or was under one second; no failed collection is counted).",
            MetricType.Counter, samples);
    }
}
