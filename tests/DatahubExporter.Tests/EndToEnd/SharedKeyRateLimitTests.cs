using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// Issue 8 row 4: a key shared with consoles and scripts meets an API limit below the exporter's own. The simulator
/// enforces 2 or 3 requests per second; with default flags a sweep of 6 pages must still finish inside a 25 s scrape
/// timeout, no refused page may be retried inside the API's one-second window, and <c>/metrics</c> shows the lowered rate.
/// </summary>
public class SharedKeyRateLimitTests : EndToEndFixture
{
    private const string Action = "DescribeDatahubTasks";

    [TestCase(3)]
    [TestCase(2)]
    public async Task A_600_task_sweep_under_a_low_api_limit_completes_and_lowers_the_client_rate(int apiLimit)
    {
        await using var stack = await ExporterStack.StartAsync(SimulatorOptions(tasks: 600, resources: 5), startExporter: false, regions: "ap-guangzhou");
        var (simulator, http) = (stack.Simulator, stack.Http);
        simulator.State.SetFault(Fault.RateLimit(apiLimit), Action);
        var exporter = await stack.StartExporterAsync();

        var samples = ExpositionParser.Parse(await GetAsync(http, exporter.BaseAddress, TasksPath, scrapeTimeout: 25));
        var metrics = ExpositionParser.Parse(await GetAsync(http, exporter.BaseAddress, "/metrics"));

        var requests = simulator.State.Requests.Where(r => r.Action == Action).ToList();
        var refused = requests.Where(r => r.ErrorCode == "RequestLimitExceeded").ToList();
        var story = string.Join("\n", requests.Select(r => $"{r.Time:HH:mm:ss.fff} offset={r.Offset} {r.ErrorCode ?? "ok"}"));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success").Value, Is.EqualTo(1), story);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(600));
        Assert.That(refused, Is.Not.Empty, "the API limit was reached, so the test exercised the refusal path");
        foreach (var r in refused)
        {
            var retry = requests.First(n => n.Time > r.Time && n.Offset == r.Offset);
            Assert.That(retry.Time - r.Time, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), $"offset {r.Offset} retried too soon:\n{story}");
        }

        var rate = metrics.Single(s => s.Name == "datahub_exporter_api_rate_limit" && s["action"] == Action);
        Assert.That(rate["host"], Is.EqualTo(simulator.BaseAddress.Authority));
        Assert.That(rate.Value, Is.LessThan(15), "the refusals lowered the configured 15/s");
        Assert.That(rate.Value, Is.GreaterThanOrEqualTo(1));
        await stack.StopAsync("exporter logs under a rate limit");
    }
}
