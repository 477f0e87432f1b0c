using System.Collections.Concurrent;
using System.Globalization;
using DatahubExporter.Exposition;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Telemetry;

/// <summary>
/// The exporter's own view of its Tencent Cloud API traffic, served on <c>/metrics</c> (exporter.md
/// "Metrics on the two scrape paths"). Thread-safe: counters are lock-free, each histogram and limiter
/// series takes a tiny lock so a scrape never sees a bucket out of step with its count. Series are created
/// on first use; actions and regions come from the configuration, and error codes from the API, so at most
/// <see cref="MaxDistinctCodes"/> distinct codes get series of their own: a misbehaving endpoint inventing
/// codes ends up under <c>code="Other"</c> instead of growing memory and cardinality without bound.
/// </summary>
internal sealed class ApiMetrics : IApiObserver
{
    /// <summary>Upper bounds of the request duration histogram, in seconds (+Inf is implicit).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<(string? Account, string Action, string Region, string Code), Counter> _requests = new();
    private readonly ConcurrentDictionary<(string? Account, string Action, string Region, string Code), Counter> _retries = new();
    private readonly ConcurrentDictionary<string, Histogram> _durations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string? Account, string Action, string Region), LimiterSeries> _limiter = new();
    private readonly ConcurrentDictionary<string, LastMinuteCount> _lastMinute = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <param name="time">The clock of <see cref="RequestsLastMinute"/> (the status page).</param>
    public ApiMetrics(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>How many distinct <c>code</c> label values may get series; later newcomers count as <c>Other</c>.</summary>
    public const int MaxDistinctCodes = 64;

    private readonly ConcurrentDictionary<string, bool> _codes = new(StringComparer.Ordinal);

    public void RequestCompleted(string action, string region, string code, double seconds, string? account = null)
    {
        _requests.GetOrAdd((account, action, region, Bounded(code)), static _ => new Counter()).Increment();
        _durations.GetOrAdd(action, static _ => new Histogram()).Observe(seconds);
        _lastMinute.GetOrAdd(action, _ => new LastMinuteCount(_time)).Add();
    }

    /// <summary>HTTP attempts in the last minute by action, sorted by action (for <c>/status</c>).</summary>
    public IReadOnlyList<(string Action, long Requests)> RequestsLastMinute() =>
        _lastMinute.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value.Sum())).ToList();

    public void Retrying(string action, string region, string code, string? account = null) =>
        _retries.GetOrAdd((account, action, region, Bounded(code)), static _ => new Counter()).Increment();

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

    public void LimiterWaited(string action, string region, double seconds, string? account = null) =>
        _limiter.GetOrAdd((account, action, region), static _ => new LimiterSeries()).Add(seconds);

    /// <summary>A consistent-enough snapshot, series sorted by label values so output is stable between scrapes.
    /// A family without series yet (nothing happened) is not written at all, as client_golang does.</summary>
    public IEnumerable<MetricFamily> Collect()
    {
        yield return CounterFamily("datahub_exporter_api_requests_total",
            "Tencent Cloud API HTTP attempts by action, region and result code: Success, the Tencent error code, or a client-side code (Timeout, NetworkError, HttpStatusError, InvalidResponse, ResponseTooLarge).",
            _requests);

        var durations = new List<Sample>();
        foreach (var (action, histogram) in _durations.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var (buckets, sum, count) = histogram.Snapshot();
            long cumulative = 0;
            for (var i = 0; i < DurationBuckets.Count; i++)
            {
                cumulative += buckets[i];
                durations.Add(new Sample("datahub_exporter_api_request_duration_seconds_bucket",
                    [new Label("action", action), new Label("le", FormatBound(DurationBuckets[i]))], cumulative));
            }
            durations.Add(new Sample("datahub_exporter_api_request_duration_seconds_bucket",
                [new Label("action", action), new Label("le", "+Inf")], count));
            durations.Add(new Sample("datahub_exporter_api_request_duration_seconds_sum", [new Label("action", action)], sum));
            durations.Add(new Sample("datahub_exporter_api_request_duration_seconds_count", [new Label("action", action)], count));
        }
        yield return new MetricFamily("datahub_exporter_api_request_duration_seconds",
            "Duration of one Tencent Cloud API HTTP attempt, from sending the request to the end of the body, by action.",
            MetricType.Histogram, durations);

        yield return CounterFamily("datahub_exporter_api_retries_total",
            "Tencent Cloud API attempts retried, by action, region and the code of the attempt that failed.",
            _retries);

        var waits = new List<Sample>();
        var waitSeconds = new List<Sample>();
        foreach (var ((account, action, region), series) in _limiter.OrderBy(p => p.Key.Account, StringComparer.Ordinal)
                     .ThenBy(p => p.Key.Action, StringComparer.Ordinal).ThenBy(p => p.Key.Region, StringComparer.Ordinal))
        {
            var (count, seconds) = series.Snapshot();
            Label[] labels = account is null ? [new("action", action), new("region", region)]
                : [new("account", account), new("action", action), new("region", region)];
            waits.Add(new Sample("datahub_exporter_api_limiter_waits_total", labels, count));
            waitSeconds.Add(new Sample("datahub_exporter_api_limiter_wait_seconds_total", labels, seconds));
        }
        yield return new MetricFamily("datahub_exporter_api_limiter_waits_total",
            "Tencent Cloud API requests the client-side rate limiter delayed, by action and region.",
            MetricType.Counter, waits);
        yield return new MetricFamily("datahub_exporter_api_limiter_wait_seconds_total",
            "Total time requests spent waiting for the client-side rate limiter, by action and region.",
            MetricType.Counter, waitSeconds);
    }

    /// <summary><c>datahub_exporter_api_rate_limit</c> from the client's current rates (see
    /// <c>TencentCloudClient.RateLimits</c>); no series while the limiter is off or unused.</summary>
    public static MetricFamily RateLimitFamily(IEnumerable<(string Action, string Host, double Rate)> rates) =>
        new("datahub_exporter_api_rate_limit",
            "Client-side limit of Tencent Cloud API requests per second, by action and API host: the --api.rate-limit, or less for a while after the API answered RequestLimitExceeded (halved on each refusal, 1/s added back per quiet second).",
            MetricType.Gauge,
            rates.Select(r => new Sample("datahub_exporter_api_rate_limit", r.Host.IndexOf('/') is var slash and > 0
                // An account's own budget (ApiCall.LimiterHost): the account label first.
                ? [new Label("account", r.Host[..slash]), new Label("action", r.Action), new Label("host", r.Host[(slash + 1)..])]
                : [new Label("action", r.Action), new Label("host", r.Host)], r.Rate)).ToList());

    /// <summary>"0.01", "1", "2.5": the shortest text that round-trips, as the Go client prints bucket bounds.</summary>
    internal static string FormatBound(double bound) => bound.ToString("R", CultureInfo.InvariantCulture);

    private static MetricFamily CounterFamily(string name, string help,
        ConcurrentDictionary<(string? Account, string Action, string Region, string Code), Counter> series)
    {
        var samples = series
            .OrderBy(p => p.Key.Account, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Action, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Region, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Code, StringComparer.Ordinal)
            .Select(p => new Sample(name,
                p.Key.Account is null
                    ? [new Label("action", p.Key.Action), new Label("region", p.Key.Region), new Label("code", p.Key.Code)]
                    : [new Label("account", p.Key.Account), new Label("action", p.Key.Action), new Label("region", p.Key.Region), new Label("code", p.Key.Code)],
                p.Value.Value))
            .ToList();
        return new MetricFamily(name, help, MetricType.Counter, samples);
    }

    private sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);
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

    private sealed class LimiterSeries
    {
        private readonly Lock _gate = new();
        private long _count;
        private double _seconds;

        public void Add(double seconds)
        {
            lock (_gate)
            {
                _count++;
                _seconds += seconds > 0 ? seconds : 0;
            }
        }

        public (long Count, double Seconds) Snapshot()
        {
            lock (_gate)
            {
                return (_count, _seconds);
            }
        }
    }
}
