using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;

namespace DatahubExporter.Tests.TencentCloud;

public class ApiMetricsTests
{
    private static MetricFamily Family(ApiMetrics metrics, string name) => metrics.Collect().Single(f => f.Name == name);

    private static string Render(IEnumerable<Sample> samples) =>
        string.Join("\n", samples.Select(s => $"{s.Name}{{{string.Join(",", s.Labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}} {s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    [Test]
    public void Empty_metrics_still_list_every_family_with_help_and_type()
    {
        var families = new ApiMetrics(TimeProvider.System).Collect().ToList();

        Assert.That(families.Select(f => (f.Name, f.Type)), Is.EqualTo(new[]
        {
            ("datahub_exporter_api_requests_total", MetricType.Counter),
            ("datahub_exporter_api_request_duration_seconds", MetricType.Histogram),
            ("datahub_exporter_api_retries_total", MetricType.Counter),
            ("datahub_exporter_api_limiter_waits_total", MetricType.Counter),
            ("datahub_exporter_api_limiter_wait_seconds_total", MetricType.Counter),
        }));
        Assert.That(families.Select(f => f.Help.Length), Is.All.GreaterThan(20));
        Assert.That(families.SelectMany(f => f.Samples), Is.Empty);
    }

    [Test]
    public void Requests_are_counted_by_action_region_and_code_in_stable_order()
    {
        var metrics = new ApiMetrics(TimeProvider.System);
        metrics.RequestCompleted("DescribeDatahubTasks", "ap-shanghai", "Success", 0.1);
        metrics.RequestCompleted("DescribeDatahubTasks", "ap-guangzhou", "Success", 0.1);
        metrics.RequestCompleted("DescribeDatahubTasks", "ap-guangzhou", "Success", 0.1);
        metrics.RequestCompleted("DescribeDatahubTasks", "ap-guangzhou", "RequestLimitExceeded", 0.1);
        metrics.RequestCompleted("DescribeConnectResources", "ap-guangzhou", "Timeout", 0.1);

        Assert.That(Render(Family(metrics, "datahub_exporter_api_requests_total").Samples), Is.EqualTo(
            """
            datahub_exporter_api_requests_total{action="DescribeConnectResources",region="ap-guangzhou",code="Timeout"} 1
            datahub_exporter_api_requests_total{action="DescribeDatahubTasks",region="ap-guangzhou",code="RequestLimitExceeded"} 1
            datahub_exporter_api_requests_total{action="DescribeDatahubTasks",region="ap-guangzhou",code="Success"} 2
            datahub_exporter_api_requests_total{action="DescribeDatahubTasks",region="ap-shanghai",code="Success"} 1
            """.ReplaceLineEndings("\n")));
    }

    [Test]
    public void Durations_fill_cumulative_buckets_with_inclusive_bounds()
    {
        var metrics = new ApiMetrics(TimeProvider.System);
        foreach (var seconds in new[] { 0.005, 0.01, 0.3, 20.0 })
        {
            metrics.RequestCompleted("DescribeDatahubTasks", "ap-guangzhou", "Success", seconds);
        }

        Assert.That(Render(Family(metrics, "datahub_exporter_api_request_duration_seconds").Samples), Is.EqualTo(
            """
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="0.01"} 2
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="0.025"} 2
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="0.05"} 2
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="0.1"} 2
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="0.25"} 2
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="0.5"} 3
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="1"} 3
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="2.5"} 3
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="5"} 3
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="10"} 3
            datahub_exporter_api_request_duration_seconds_bucket{action="DescribeDatahubTasks",le="+Inf"} 4
            datahub_exporter_api_request_duration_seconds_sum{action="DescribeDatahubTasks"} 20.315
            datahub_exporter_api_request_duration_seconds_count{action="DescribeDatahubTasks"} 4
            """.ReplaceLineEndings("\n")));
    }

    [Test]
    public void Histogram_is_per_action_across_regions()
    {
        var metrics = new ApiMetrics(TimeProvider.System);
        metrics.RequestCompleted("B", "r1", "Success", 1);
        metrics.RequestCompleted("A", "r1", "Success", 1);
        metrics.RequestCompleted("A", "r2", "Timeout", 1);

        var counts = Family(metrics, "datahub_exporter_api_request_duration_seconds").Samples
            .Where(s => s.Name.EndsWith("_count", StringComparison.Ordinal))
            .Select(s => (s.Labels.Single().Value, s.Value));
        Assert.That(counts, Is.EqualTo(new[] { ("A", 2.0), ("B", 1.0) }));
    }

    [Test]
    public void Negative_or_nan_durations_count_as_zero()
    {
        var metrics = new ApiMetrics(TimeProvider.System);
        metrics.RequestCompleted("A", "r", "Success", -1);
        metrics.RequestCompleted("A", "r", "Success", double.NaN);

        var samples = Family(metrics, "datahub_exporter_api_request_duration_seconds").Samples;
        Assert.That(samples.Single(s => s.Name.EndsWith("_sum", StringComparison.Ordinal)).Value, Is.EqualTo(0));
        Assert.That(samples.First(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).Value, Is.EqualTo(2));
    }

    [Test]
    public void Retries_and_limiter_waits_are_counted()
    {
        var metrics = new ApiMetrics(TimeProvider.System);
        metrics.Retrying("DescribeDatahubTasks", "ap-guangzhou", "InternalError");
        metrics.Retrying("DescribeDatahubTasks", "ap-guangzhou", "InternalError");
        metrics.LimiterWaited("DescribeDatahubTasks", "ap-guangzhou", 0.25);
        metrics.LimiterWaited("DescribeDatahubTasks", "ap-guangzhou", 0.5);

        Assert.That(Render(Family(metrics, "datahub_exporter_api_retries_total").Samples), Is.EqualTo(
            "datahub_exporter_api_retries_total{action=\"DescribeDatahubTasks\",region=\"ap-guangzhou\",code=\"InternalError\"} 2"));
        Assert.That(Render(Family(metrics, "datahub_exporter_api_limiter_waits_total").Samples), Is.EqualTo(
            "datahub_exporter_api_limiter_waits_total{action=\"DescribeDatahubTasks\",region=\"ap-guangzhou\"} 2"));
        Assert.That(Render(Family(metrics, "datahub_exporter_api_limiter_wait_seconds_total").Samples), Is.EqualTo(
            "datahub_exporter_api_limiter_wait_seconds_total{action=\"DescribeDatahubTasks\",region=\"ap-guangzhou\"} 0.75"));
    }

    [Test]
    public void Concurrent_updates_are_all_counted()
    {
        var metrics = new ApiMetrics(TimeProvider.System);
        Parallel.For(0, 8000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            metrics.RequestCompleted("A", "r" + (i % 4), "Success", 0.001);
            metrics.Retrying("A", "r", "InternalError");
            metrics.LimiterWaited("A", "r", 0.5);
            if (i % 100 == 0)
            {
                _ = metrics.Collect().ToList();
            }
        });

        Assert.That(Family(metrics, "datahub_exporter_api_requests_total").Samples.Sum(s => s.Value), Is.EqualTo(8000));
        Assert.That(Family(metrics, "datahub_exporter_api_request_duration_seconds").Samples
            .Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Value, Is.EqualTo(8000));
        Assert.That(Family(metrics, "datahub_exporter_api_retries_total").Samples.Single().Value, Is.EqualTo(8000));
        Assert.That(Family(metrics, "datahub_exporter_api_limiter_wait_seconds_total").Samples.Single().Value, Is.EqualTo(4000));
    }

    [Test]
    public async Task Client_reports_into_api_metrics()
    {
        var metrics = new ApiMetrics(TimeProvider.System);
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var handler = new FakeHandler((n, _) => n == 0 ? FakeHandler.ApiError("InternalError") : FakeHandler.Ok(), time);
        var client = new DatahubExporter.TencentCloud.TencentCloudClient(new HttpClient(handler),
            new DatahubExporter.TencentCloud.TencentCloudClientOptions { RateLimitPerSecond = 0 }, metrics, time);
        var target = new DatahubExporter.TencentCloud.ApiTarget("ap-guangzhou", new Uri("https://ckafka.ap-guangzhou.tencentcloudapi.com"),
            new DatahubExporter.Configuration.Credentials("AKIDexample0001", "key", null));

        using var _ = await client.CallAsync(target, "DescribeDatahubTasks", "{}"u8.ToArray(), CancellationToken.None);

        Assert.That(Render(Family(metrics, "datahub_exporter_api_requests_total").Samples), Is.EqualTo(
            """
            datahub_exporter_api_requests_total{action="DescribeDatahubTasks",region="ap-guangzhou",code="InternalError"} 1
            datahub_exporter_api_requests_total{action="DescribeDatahubTasks",region="ap-guangzhou",code="Success"} 1
            """.ReplaceLineEndings("\n")));
        Assert.That(Family(metrics, "datahub_exporter_api_retries_total").Samples.Single().Value, Is.EqualTo(1));
    }
}
