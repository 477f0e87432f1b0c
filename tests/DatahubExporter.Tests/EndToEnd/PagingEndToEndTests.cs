using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>Issue 7 Build 3 through the real binary: concurrent pages, and the resources' Limit 1000 against
/// an API that honours it, caps it, or refuses it.</summary>
public class PagingEndToEndTests : EndToEndFixture
{
    private const string ResourcesAction = "DescribeConnectResources";

    private static Task<ExporterStack> StartAsync(SimulatorOptions options) =>
        ExporterStack.StartAsync(options, regions: "ap-guangzhou");

    [TestCase(1000, null, 1, 1, TestName = "An_api_that_honours_limit_1000_answers_250_resources_in_one_page")]
    [TestCase(100, null, 3, 3, TestName = "An_api_that_caps_the_limit_is_paged_at_100_without_skipping")]
    [TestCase(1000, 100, 4, 3, TestName = "An_api_that_refuses_limit_1000_gets_100_and_it_is_remembered")]
    public async Task Resources_ask_limit_1000_and_adapt(int maxLimit, int? refuseAbove, int firstScrapeRequests, int secondScrapeRequests)
    {
        var options = SimulatorOptions(tasks: 10, resources: 250);
        options.MaxResourcesLimit = maxLimit;
        options.RefuseLimitAbove = refuseAbove;
        var stack = await StartAsync(options);
        var (simulator, exporter, http) = (stack.Simulator, stack.Exporter, stack.Http);
        try
        {
            for (var scrape = 0; scrape < 2; scrape++)
            {
                simulator.State.ResetCounters();
                var samples = ExpositionParser.Parse(await GetAsync(http, exporter.BaseAddress, ResourcesPath, 10));
                Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success").Value, Is.EqualTo(1), $"scrape {scrape}");
                Assert.That(samples.Where(s => s.Name == "connect_resource_status").Select(s => s["ResourceId"]),
                    Is.EquivalentTo(simulator.State.Data("ap-guangzhou").Resources.Select(r => r.ResourceId)), $"scrape {scrape}: every resource once");
                Assert.That(simulator.State.RequestCount(ResourcesAction), Is.EqualTo(scrape == 0 ? firstScrapeRequests : secondScrapeRequests), $"scrape {scrape}");
            }

            Assert.That(ErrorCount(await GetAsync(http, exporter.BaseAddress, ResourcesPath, 10)), Is.Zero);
        }
        finally
        {
            await stack.StopAsync("exporter logs while paging");
        }

        static double ErrorCount(string body) =>
            ExpositionParser.Parse(body).Single(s => s.Name == "connect_resource_error_count").Value;
    }

    [Test]
    public async Task Pages_of_a_sweep_are_in_flight_at_the_same_time()
    {
        var stack = await StartAsync(SimulatorOptions(tasks: 1000, resources: 5));
        var (simulator, exporter, http) = (stack.Simulator, stack.Exporter, stack.Http);
        try
        {
            simulator.State.SetFault(Fault.Latency(TimeSpan.FromMilliseconds(300)), "DescribeDatahubTasks");
            simulator.State.ResetPeakInFlight();

            var samples = ExpositionParser.Parse(await GetAsync(http, exporter.BaseAddress, TasksPath, 20));

            Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(1000));
            // One page at a time would never have two in the simulator at once; 300 ms a page and 19 admitted
            // per second by the limiter put several there together.
            Assert.That(simulator.State.PeakInFlight, Is.GreaterThanOrEqualTo(3));
            Assert.That(simulator.State.ErrorCount("RequestLimitExceeded"), Is.Zero);
        }
        finally
        {
            await stack.StopAsync("exporter logs while paging");
        }
    }
}
