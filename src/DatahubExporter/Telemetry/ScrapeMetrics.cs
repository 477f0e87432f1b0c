namespace DatahubExporter.Telemetry;

/// <summary>How scrapes were answered, for <c>/metrics</c>: by a new collection, by joining one already
/// running, from the cache, or with a failure of their own because their deadline passed first (or was
/// too short to start). Each scrape is counted once, when it is answered. A <see cref="SelfCounter"/>
/// (thread-safe, lock-free), registered in <c>ExporterServices.SelfMetrics</c>.</summary>
internal sealed class ScrapeMetrics
{
    public const string Collected = "collected";
    public const string Joined = "joined";
    public const string Cached = "cached";
    public const string TimedOut = "timed_out";

    public SelfCounter Scrapes { get; } = new("datahub_exporter_scrapes_total",
        "Scrapes of the collector paths by how they were answered: collected (started a collection), joined (shared one already running), cached (served within --cache.ttl), timed_out (its own deadline passed first, or was under one second; no failed collection is counted).",
        "collector", "answer");

    public void Count(string collector, string how) => Scrapes.Increment(new(collector, how));

    public long Get(string collector, string how) => (long)Scrapes.Get(new(collector, how));
}
