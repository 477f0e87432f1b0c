using System.Collections.Concurrent;
using System.Globalization;
using DatahubExporter.Exposition;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Telemetry;

/// <summary>
/// The exporter's own view of its Tencent Cloud API traffic, served on <c>/metrics</c> (exporter.md
/// "Metrics on the two scrape paths"). Thread-safe: counters are lock-free (<see cref="SelfCounter"/>), each histogram
/// takes a tiny lock so a scrape never sees a bucket out of step with its count. Series are created
/// on first use; actions and regions come from the configuration, and error codes from the API, so at most
/// <see cref="MaxDistinctCodes"/> distinct codes get series of their own: a misbehaving endpoint inventing
/// codes ends up under <c>code="Other"</c> instead of growing memory and cardinality without bound.
/// </summary>
internal sealed class ApiMetrics : IApiObserver
{
    /// <summary>Upper bounds of the request duration histogram, in seconds (+Inf is implicit).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly SelfCounter _requests = new("datahub_exporter_api_requests_total",
        "Tencent Cloud API HTTP attempts by action, region and result code: Success, the Tencent error code, or a client-side code (Timeout, NetworkError, HttpStatusError, InvalidResponse, ResponseTooLarge).",
        "account", "action", "region", "code");

    private readonly SelfCounter _retries = new("datahub_exporter_api_retries_total",
        "Tencent Cloud API attempts retried, by action, region and the code of the attempt that failed.",
        "account", "action", "region", "code");

    private readonly SelfCounter _limiterWaits = new("datahub_exporter_api_limiter_waits_total",
        "Tencent Cloud API requests the client-side rate limiter delayed, by action and region.",
        "account", "action", "region");

    private readonly SelfCounter _limiterWaitSeconds = new("datahub_exporter_api_limiter_wait_seconds_total",
        "Total time requests spent waiting for the client-side rate limiter, by action and region.",
        "account", "action", "region");

    private readonly DurationHistogram _durations = new();
    private readonly ConcurrentDictionary<string, LastMinuteCount> _lastMinute = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <param name="time">The clock of <see cref="RequestsLastMinute"/> (the status page).</param>
    public ApiMetrics(TimeProvider time)
    {
        _time = time;
        Families = [_requests, _durations, _retries, _limiterWaits, _limiterWaitSeconds];
    }

    /// <summary>The families of <c>/metrics</c>, in the order they are written; registered in <c>ExporterServices.SelfMetrics</c>.
    /// A family without series yet (nothing happened) is not written at all, as client_golang does.</summary>
    public IReadOnlyList<SelfFamily> Families { get; }

    /// <summary>How many distinct <c>code</c> label values may get series; later newcomers count as <c>Other</c>.</summary>
    public const int MaxDistinctCodes = 64;

    private readonly ConcurrentDictionary<string, bool> _codes = new(StringComparer.Ordinal);

    public void RequestCompleted(string action, string region, string code, double seconds, string? account = null)
    {
        _requests.Increment(new(account, action, region, Bounded(code)));
        _durations.Observe(action, seconds);
        _lastMinute.GetOrAdd(action, _ => new LastMinuteCount(_time)).Add();
    }

    /// <summary>HTTP attempts in the last minute by action, sorted by action (for <c>/status</c>).</summary>
    public IReadOnlyList<(string Action, long Requests)> RequestsLastMinute() =>
        _lastMinute.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value.Sum())).ToList();

    public void Retrying(string action, string region, string code, string? account = null) =>
        _retries.Increment(new(account, action, region, Bounded(code)));

    private string Bounded(string code)
    {
        if (_codes.ContainsKey(code))
        {
            return code;
        }

        // A race may admit a few past the cap; the bound only has to be finite.
        if (_codes.Count >= MaxDistinctCodes)
        {
            return "Other";
        }

        _codes.TryAdd(code, true);
        return code;
    }

    public void LimiterWaited(string action, string region, double seconds, string? account = null)
    {
        _limiterWaits.Increment(new(account, action, region));
        _limiterWaitSeconds.Add(new(account, action, region), seconds);
    }

    /// <summary>Every family as it is now (for tests; <c>/metrics</c> collects them through the registry).</summary>
    public IEnumerable<MetricFamily> Collect() => Families.Select(f => f.Collect());

    /// <summary>"0.01", "1", "2.5": the shortest text that round-trips, as the Go client prints bucket bounds.</summary>
    internal static string FormatBound(double bound) => bound.ToString("R", CultureInfo.InvariantCulture);

    /// <summary><c>datahub_exporter_api_request_duration_seconds</c>: one histogram per action, each under a tiny lock so a
    /// scrape never sees a bucket out of step with its count; written sorted by action.</summary>
    private sealed class DurationHistogram() : SelfFamily("datahub_exporter_api_request_duration_seconds",
        "Duration of one Tencent Cloud API HTTP attempt, from sending the request to the end of the body, by action.", MetricType.Histogram, ["action"])
    {
        private const string Bucket = "datahub_exporter_api_request_duration_seconds_bucket";
        private const string Sum = "datahub_exporter_api_request_duration_seconds_sum";
        private const string Count = "datahub_exporter_api_request_duration_seconds_count";
        private static readonly string[] Bounds = DurationBuckets.Select(FormatBound).ToArray();

        private readonly ConcurrentDictionary<string, Histogram> _byAction = new(StringComparer.Ordinal);

        public void Observe(string action, double seconds) => _byAction.GetOrAdd(action, static _ => new Histogram()).Observe(seconds);

        public override IReadOnlyList<Sample> Samples()
        {
            var samples = new List<Sample>();
            foreach (var (action, histogram) in _byAction.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var (buckets, sum, count) = histogram.Snapshot();
                long cumulative = 0;
                for (var i = 0; i < DurationBuckets.Count; i++)
                {
                    cumulative += buckets[i];
                    samples.Add(new Sample(Bucket, [new Label("action", action), new Label("le", Bounds[i])], cumulative));
                }

                samples.Add(new Sample(Bucket, [new Label("action", action), new Label("le", "+Inf")], count));
                samples.Add(new Sample(Sum, [new Label("action", action)], sum));
                samples.Add(new Sample(Count, [new Label("action", action)], count));
            }

            return samples;
        }
    }

    private sealed class Histogram
    {
        private readonly Lock _gate = new();
        private readonly long[] _buckets = new long[DurationBuckets.Count];
        private double _sum;
        private long _count;

        public void Observe(double seconds)
        {
            // A negative or NaN duration cannot happen with a monotonic clock; clamp rather than corrupt _sum.
            if (!(seconds >= 0))
            {
                seconds = 0;
            }
            lock (_gate)
            {
                for (var i = 0; i < _buckets.Length; i++)
                {
                    if (seconds <= DurationBuckets[i])
                    {
                        _buckets[i]++;
                        break;
                    }
                }
                _sum += seconds;
                _count++;
            }
        }

        /// <summary>Per-bucket (not cumulative) counts; observations above the last bound are only in count.</summary>
        public (long[] Buckets, double Sum, long Count) Snapshot()
        {
            lock (_gate)
            {
                return ((long[])_buckets.Clone(), _sum, _count);
            }
        }
    }
}
