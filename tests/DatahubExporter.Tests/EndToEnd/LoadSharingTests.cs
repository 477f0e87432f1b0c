using System.Diagnostics;
using System.Globalization;
using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// Issue 4's "Done when", measured by the simulator's own request counters: concurrent scrapes share one sweep,
/// <c>--cache.ttl</c> serves a second wave without API calls, a 2,000-task sweep stays inside Tencent's 20 req/s
/// and a hanging API never makes a scrape outlive its <c>X-Prometheus-Scrape-Timeout-Seconds</c>.
/// </summary>
public class LoadSharingTests : EndToEndFixture
{
    private const string Action = "DescribeDatahubTasks";
    private ExporterStack _stack = null!;

    [TearDown]
    public async Task StopAsync()
    {
        if (_stack is not null)
        {
            await _stack.StopAsync("exporter logs under load");
            _stack = null!;
        }
    }

    [Test]
    public async Task One_hundred_concurrent_scrapes_cause_one_sweep_of_api_calls()
    {
        var exporter = await StartAsync(SimulatorOptions(tasks: 250, resources: 5));
        // 2 s per page and 3 pages per region: a 6 s sweep that the burst below lands inside.
        _stack.Simulator.State.SetFault(Fault.Latency(TimeSpan.FromSeconds(2)), Action);

        var first = ScrapeAsync(exporter, 20);
        await Eventually.HoldsAsync(() => _stack.Simulator.State.RequestCount(Action) > 0, "the first scrape reached the API");
        var rest = Enumerable.Range(0, 99).Select(_ => ScrapeAsync(exporter, 20)).ToList();
        var answers = await Task.WhenAll(rest.Prepend(first));

        foreach (var samples in answers.Select(text => ExpositionParser.Parse(text)))
        {
            Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Is.All.EqualTo(1));
            Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(2 * 250));
        }

        foreach (var region in Regions)
        {
            Assert.That(_stack.Simulator.State.RequestCount(Action, region), Is.EqualTo(3), $"one sweep of 3 pages in {region} for 100 scrapes");
        }

        var metrics = ExpositionParser.Parse(await GetAsync(_stack.Http, exporter.BaseAddress, "/metrics"));
        double Scrapes(string how) => metrics.Single(s => s.Name == "datahub_exporter_scrapes_total" && s["collector"] == "datahub_tasks" && s["answer"] == how).Value;
        Assert.That((Scrapes("collected"), Scrapes("joined")), Is.EqualTo((1.0, 99.0)));
    }

    [Test]
    public async Task With_a_cache_ttl_a_second_wave_calls_no_api()
    {
        var exporter = await StartAsync(SimulatorOptions(tasks: 250, resources: 5), "--cache.ttl", "30");
        var firstWave = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ScrapeAsync(exporter, 20)));
        var afterFirst = _stack.Simulator.State.RequestCount(Action);
        Assert.That(afterFirst, Is.EqualTo(2 * 3), "3 pages per region, once");
        Assert.That(ExpositionParser.Parse(firstWave[0]).Count(s => s.Name == "datahub_task_status"), Is.EqualTo(500));

        var secondWave = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => ScrapeAsync(exporter, 20)));
        Assert.That(_stack.Simulator.State.RequestCount(Action), Is.EqualTo(afterFirst), "the second wave was served from the cache");
        foreach (var samples in secondWave.Select(text => ExpositionParser.Parse(text)))
        {
            Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(500));
            Assert.That(samples.Single(s => s.Name == "datahub_exporter_cache_age_seconds").Value, Is.GreaterThan(0), "a cached answer says how old it is");
        }

        // The cache is per path: the resources path still collects.
        await ScrapeAsync(exporter, 20, ResourcesPath);
        Assert.That(_stack.Simulator.State.RequestCount("DescribeConnectResources"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_sweep_of_2000_tasks_under_a_20_per_second_api_limit_never_fails()
    {
        var exporter = await StartAsync(SimulatorOptions(tasks: 2000, resources: 5));
        _stack.Simulator.State.SetFault(Fault.RateLimit(20));
        for (var sweep = 0; sweep < 2; sweep++)
        {
            var samples = ExpositionParser.Parse(await ScrapeAsync(exporter, 20));
            var rejected = _stack.Simulator.State.ErrorCount("RequestLimitExceeded");
            Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Is.All.EqualTo(1),
                $"sweep {sweep}; the simulator rejected {rejected} requests");
            Assert.That(samples.Where(s => s.Name == "datahub_task_error_count").Select(s => s.Value), Is.All.EqualTo(0));
            foreach (var region in Regions)
            {
                Assert.That(samples.Count(s => s.Name == "datahub_task_status" && s["region"] == region), Is.EqualTo(2000));
            }
        }

        Assert.That(_stack.Simulator.State.RequestCount(Action, "ap-guangzhou"), Is.GreaterThanOrEqualTo(2 * 20), "20 pages of 100 per sweep");
        // Pages of one region go one after another and the limiter spaces them 1/15 s apart, so the server's
        // window of 20 is never reached: the etiquette is kept, not merely survived by retrying.
        Assert.That(_stack.Simulator.State.ErrorCount("RequestLimitExceeded"), Is.EqualTo(0));
    }

    [Test]
    public async Task A_hanging_api_answers_within_the_scrape_timeout_header()
    {
        // An offset of 2 s (not the default 0.5) leaves the answer 2 s of room on a loaded machine; it is still
        // the header's timeout that bounds the scrape, which is what this test is about.
        var exporter = await StartAsync(SimulatorOptions(tasks: 50, resources: 5), GenerousOffset);
        _stack.Simulator.State.SetFault(Fault.Hang(), Action, "ap-shanghai");

        var samples = ExpositionParser.Parse(await ScrapeAsync(exporter, 5));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success" && s["region"] == "ap-shanghai").Value, Is.EqualTo(0));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success" && s["region"] == "ap-guangzhou").Value, Is.EqualTo(1));
    }

    [Test]
    public async Task A_scrape_joining_a_hung_collection_answers_within_its_own_shorter_timeout()
    {
        var exporter = await StartAsync(SimulatorOptions(tasks: 50, resources: 5), GenerousOffset);
        _stack.Simulator.State.SetFault(Fault.Hang(), Action, "ap-shanghai");

        var patient = ScrapeAsync(exporter, 12, clientSlack: 10);
        await Eventually.HoldsAsync(() => _stack.Simulator.State.RequestCount(Action, "ap-shanghai") > 0, "the patient scrape reached the hanging API");
        var hasty = ExpositionParser.Parse(await ScrapeAsync(exporter, 4));
        Assert.That(hasty.Single(s => s.Name == "datahub_exporter_collect_success" && s["region"] == "ap-shanghai").Value, Is.EqualTo(0));
        Assert.That(patient.IsCompleted, Is.False, "the hasty scrape did not wait for the patient one");

        var patientSamples = ExpositionParser.Parse(await patient);
        Assert.That(patientSamples.Single(s => s.Name == "datahub_exporter_collect_success" && s["region"] == "ap-guangzhou").Value, Is.EqualTo(1));
        Assert.That(patientSamples.Single(s => s.Name == "datahub_exporter_collect_success" && s["region"] == "ap-shanghai").Value, Is.EqualTo(0));
    }

    /// <summary>Room between the exporter's deadline and the client's on a loaded machine.</summary>
    private const string GenerousOffset = "--scrape.timeout-offset=2";

    private async Task<ExporterProcess> StartAsync(SimulatorOptions options, params string[] extra)
    {
        _stack = await ExporterStack.StartAsync(options, flags: extra);
        return _stack.Exporter;
    }

    /// <summary>One scrape as Prometheus makes it: the timeout header, and a client that gives up at that timeout.</summary>
    /// <param name="clientSlack">Extra patience for scrapes whose punctuality is not under test.</param>
    private async Task<string> ScrapeAsync(ExporterProcess exporter, double timeoutSeconds, string? path = null, double clientSlack = 0)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(exporter.BaseAddress, path ?? TasksPath));
        request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", timeoutSeconds.ToString(CultureInfo.InvariantCulture));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds + clientSlack));
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await _stack.Http.SendAsync(request, cts.Token);
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            return await response.Content.ReadAsStringAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"no answer within the {timeoutSeconds} s scrape timeout (gave up after {watch.Elapsed.TotalSeconds:F1} s)");
            throw;
        }
    }
}
