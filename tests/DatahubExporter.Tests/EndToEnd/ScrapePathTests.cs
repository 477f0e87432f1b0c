using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>The real binary against the simulator over loopback: data, faults, error counts, HTTP behaviour.</summary>
public class ScrapePathTests : EndToEndFixture
{
    private ExporterStack _stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _stack = await ExporterStack.StartAsync(token: Token, flags: ["--log.level=debug"]);

    [OneTimeTearDown]
    public async Task StopAsync() =>
        Assert.That(await _stack.StopAsync("exporter logs at debug level"), Does.Not.Contain("Unhandled exception"));

    [SetUp]
    public void ClearFaults() => _stack.Simulator.State.ClearFaults();

    [Test]
    public async Task Tasks_path_has_every_task_exactly_once_with_its_status_and_exact_name()
    {
        var text = await _stack.GetAsync(TasksPath);
        AssertNoSecrets(text, "tasks path");
        var status = ExpositionParser.Parse(text).Where(s => s.Name == "datahub_task_status").ToList();
        foreach (var region in Regions)
        {
            var expected = _stack.Simulator.State.Data(region).Tasks
                .Select(t => (t.TaskId, Name: t.TaskName ?? "", (double)t.Status)).OrderBy(t => t.TaskId, StringComparer.Ordinal).ToList();
            var actual = status.Where(s => s["region"] == region)
                .Select(s => (s["TaskId"], s["TaskName"], s.Value)).OrderBy(t => t.Item1, StringComparer.Ordinal).ToList();
            Assert.That(expected, Has.Count.EqualTo(250));
            Assert.That(actual, Is.EqualTo(expected), $"region {region}");
        }

        Assert.That(text, Does.Contain("datahub_task_error_count{region=\"ap-guangzhou\"} 0\n"));
        Assert.That(text, Does.Contain("# TYPE datahub_task_status gauge\n"));
    }

    [Test]
    public async Task Resources_path_has_every_resource_exactly_once_with_its_status_and_exact_name()
    {
        var text = await _stack.GetAsync(ResourcesPath);
        var samples = ExpositionParser.Parse(text);
        foreach (var region in Regions)
        {
            var expected = _stack.Simulator.State.Data(region).Resources
                .Select(r => (r.ResourceId, Name: r.ResourceName ?? "", (double)r.Status)).OrderBy(r => r.ResourceId, StringComparer.Ordinal).ToList();
            var actual = samples.Where(s => s.Name == "connect_resource_status" && s["region"] == region)
                .Select(s => (s["ResourceId"], s["ResourceName"], s.Value)).OrderBy(r => r.Item1, StringComparer.Ordinal).ToList();
            Assert.That(actual, Is.EqualTo(expected), $"region {region}");
            Assert.That(samples.Count(s => s.Name == "connect_resource_info" && s["region"] == region), Is.EqualTo(expected.Count));
        }
    }

    [Test]
    public async Task Status_changes_show_on_the_next_scrape()
    {
        var task = _stack.Simulator.State.Data("ap-guangzhou").Tasks[10];
        Assert.That(_stack.Simulator.State.SetTaskStatus(task.TaskId, 4, "ap-guangzhou"), Is.True);
        try
        {
            var samples = ExpositionParser.Parse(await _stack.GetAsync(TasksPath));
            Assert.That(samples.Single(s => s.Name == "datahub_task_status" && s["region"] == "ap-guangzhou" && s["TaskId"] == task.TaskId).Value, Is.EqualTo(4));
        }
        finally
        {
            _stack.Simulator.State.SetTaskStatus(task.TaskId, task.Status, "ap-guangzhou");
        }
    }

    public static IEnumerable<TestCaseData> FailureFaults()
    {
        yield return new TestCaseData(Fault.Error("AuthFailure.SignatureFailure", "bad signature")).SetName("Fault_auth_failure");
        yield return new TestCaseData(Fault.Error("InvalidParameterValue", "nope")).SetName("Fault_invalid_parameter");
        yield return new TestCaseData(Fault.Error("InternalError")).SetName("Fault_internal_error_persisting_past_retries");
        yield return new TestCaseData(Fault.RateLimit(0)).SetName("Fault_request_limit_exceeded_persisting");
        yield return new TestCaseData(Fault.HttpStatus(502)).SetName("Fault_http_502");
        yield return new TestCaseData(Fault.HttpStatus(503)).SetName("Fault_http_503");
        yield return new TestCaseData(Fault.MalformedJson()).SetName("Fault_malformed_json");
        yield return new TestCaseData(Fault.TruncatedJson()).SetName("Fault_truncated_json");
        yield return new TestCaseData(Fault.OversizedBody(40 * 1024 * 1024)).SetName("Fault_oversized_body");
        yield return new TestCaseData(Fault.Hang()).SetName("Fault_hanging_api");
        yield return new TestCaseData(Fault.Latency(TimeSpan.FromSeconds(30))).SetName("Fault_latency_past_the_deadline");
    }

    [TestCaseSource(nameof(FailureFaults))]
    public async Task A_fault_in_one_region_fails_only_that_region_and_counts_exactly_one_error(Fault fault)
    {
        var before = ExpositionParser.Parse(await _stack.GetAsync(TasksPath, scrapeTimeout: 4));
        double Errors(IEnumerable<ExpositionParser.ParsedSample> s, string region) =>
            s.Single(x => x.Name == "datahub_task_error_count" && x["region"] == region).Value;

        _stack.Simulator.State.SetFault(fault, "DescribeDatahubTasks", "ap-shanghai");
        var started = DateTime.UtcNow;
        var text = await _stack.GetAsync(TasksPath, scrapeTimeout: 4);
        var elapsed = DateTime.UtcNow - started;
        _stack.Simulator.State.ClearFaults();
        var after = ExpositionParser.Parse(text);

        // The header's 4 s (a 3.5 s budget) bounds the answer, not the 30 s latency, the hang or a 30 s attempt timeout;
        // 3 s of slack over the header keep a loaded machine from failing it (0.5 s did not).
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(4 + 3)), "answered by the scrape timeout header's deadline");
        Assert.That(Errors(after, "ap-shanghai"), Is.EqualTo(Errors(before, "ap-shanghai") + 1));
        Assert.That(Errors(after, "ap-guangzhou"), Is.EqualTo(Errors(before, "ap-guangzhou")));
        Assert.That(after.Single(s => s.Name == "datahub_exporter_collect_success" && s["region"] == "ap-shanghai").Value, Is.EqualTo(0));
        Assert.That(after.Single(s => s.Name == "datahub_exporter_collect_success" && s["region"] == "ap-guangzhou").Value, Is.EqualTo(1));
        Assert.That(after.Count(s => s.Name == "datahub_task_status" && s["region"] == "ap-shanghai"), Is.EqualTo(0));
        Assert.That(after.Count(s => s.Name == "datahub_task_status" && s["region"] == "ap-guangzhou"), Is.EqualTo(250));
        AssertNoSecrets(text, "tasks path under a fault");

        // And the process keeps serving: the next scrape is whole again.
        var recovered = ExpositionParser.Parse(await _stack.GetAsync(TasksPath, scrapeTimeout: 10));
        Assert.That(recovered.Count(s => s.Name == "datahub_task_status" && s["region"] == "ap-shanghai"), Is.EqualTo(250));
        Assert.That(Errors(recovered, "ap-shanghai"), Is.EqualTo(Errors(after, "ap-shanghai")));
        Assert.That(_stack.Exporter.HasExited, Is.False);
    }

    public static IEnumerable<TestCaseData> SurvivableFaults()
    {
        yield return new TestCaseData(Fault.TotalCountDrift(7)).SetName("Drift_total_count_grows_between_pages");
        yield return new TestCaseData(Fault.TotalCountDrift(-30)).SetName("Drift_total_count_shrinks_between_pages");
        yield return new TestCaseData(Fault.DuplicateItems(5)).SetName("Drift_pages_overlap");
        yield return new TestCaseData(Fault.Latency(TimeSpan.FromMilliseconds(200))).SetName("Drift_slow_but_in_time");
    }

    [TestCaseSource(nameof(SurvivableFaults))]
    public async Task Paging_trouble_still_gives_every_series_exactly_once(Fault fault)
    {
        _stack.Simulator.State.SetFault(fault, "DescribeDatahubTasks");
        var samples = ExpositionParser.Parse(await _stack.GetAsync(TasksPath, scrapeTimeout: 10));
        _stack.Simulator.State.ClearFaults();
        var status = samples.Where(s => s.Name == "datahub_task_status").ToList();
        Assert.That(status.Select(s => (s["region"], s["TaskId"])).Distinct().Count(), Is.EqualTo(status.Count), "no duplicate series");
        Assert.That(status.Count, Is.LessThanOrEqualTo(500));
        Assert.That(status.Count, Is.GreaterThanOrEqualTo(2 * 100), "a shrinking TotalCount may end paging early, never before the first page");
    }

    [Test]
    public async Task Null_fields_never_crash_a_scrape()
    {
        _stack.Simulator.State.SetFault(Fault.NullFields(), "DescribeDatahubTasks");
        var samples = ExpositionParser.Parse(await _stack.GetAsync(TasksPath));
        _stack.Simulator.State.SetFault(Fault.NullFields(nullList: true), "DescribeConnectResources");
        var resources = ExpositionParser.Parse(await _stack.GetAsync(ResourcesPath));
        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Is.All.EqualTo(1));
        Assert.That(resources.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Is.All.Not.NaN);
    }

    [Test]
    public async Task Metrics_path_counts_api_requests_by_code()
    {
        _stack.Simulator.State.SetFault(Fault.Error("AuthFailure.SecretIdNotFound"), "DescribeConnectResources", "ap-guangzhou", count: 1);
        await _stack.GetAsync(ResourcesPath);
        var text = await _stack.GetAsync("/metrics");
        var samples = ExpositionParser.Parse(text);
        Assert.That(samples.Any(s => s.Name == "datahub_exporter_api_requests_total" && s["code"] == "AuthFailure.SecretIdNotFound" && s["region"] == "ap-guangzhou"), Is.True);
        Assert.That(samples.Any(s => s.Name == "datahub_exporter_build_info"), Is.True);
        foreach (var name in new[] { "process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds", "process_open_fds", "process_max_fds", "process_virtual_memory_bytes" })
        {
            Assert.That(samples.Any(s => s.Name == name), Is.True, name);
        }

        AssertNoSecrets(text, "/metrics");
    }

    [TestCase("POST")]
    [TestCase("PUT")]
    [TestCase("DELETE")]
    [TestCase("PATCH")]
    public async Task Methods_other_than_get_and_head_get_405(string method)
    {
        using var response = await _stack.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(_stack.Exporter.BaseAddress, TasksPath)));
        Assert.That((int)response.StatusCode, Is.EqualTo(405));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "GET", "HEAD" }));
    }

    [Test]
    public async Task Head_answers_headers_without_a_body()
    {
        using var response = await _stack.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(_stack.Exporter.BaseAddress, "/metrics")));
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/plain; version=0.0.4; charset=utf-8"));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [TestCase("/", "text/html; charset=utf-8")]
    [TestCase("/-/healthy", "text/plain; charset=utf-8")]
    [TestCase("/-/ready", "text/plain; charset=utf-8")]
    public async Task Landing_and_health_pages_answer(string path, string contentType)
    {
        using var response = await _stack.Http.GetAsync(new Uri(_stack.Exporter.BaseAddress, path));
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo(contentType));
    }

    [Test]
    public async Task Unknown_paths_are_404()
    {
        using var response = await _stack.Http.GetAsync(new Uri(_stack.Exporter.BaseAddress, "/nope"));
        Assert.That((int)response.StatusCode, Is.EqualTo(404));
        // Issue 8 row 10: a short text pointing at the landing page, not an empty body.
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/plain; charset=utf-8"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("404 page not found: the exporter's paths are listed at /\n"));
    }

    [Test]
    public async Task Gzip_is_used_when_the_scraper_accepts_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_stack.Exporter.BaseAddress, TasksPath));
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await _stack.Http.SendAsync(request);
        Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "gzip" }));
        await using var gz = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        var text = await new StreamReader(gz).ReadToEndAsync();
        Assert.That(ExpositionParser.Parse(text).Count(s => s.Name == "datahub_task_status"), Is.EqualTo(500));
    }

    [Test]
    public async Task OpenMetrics_is_served_when_preferred()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_stack.Exporter.BaseAddress, TasksPath));
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        using var response = await _stack.Http.SendAsync(request);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/openmetrics-text"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.EndWith("# EOF\n"));
    }
}
