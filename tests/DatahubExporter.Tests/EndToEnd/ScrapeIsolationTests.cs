using System.Globalization;
using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// Issue 7's first "Done when", with real processes on loopback: a client looping a tiny timeout header and
/// another that sends a huge one against a hanging API and then disconnects spoil no normal scrape.
/// </summary>
public class ScrapeIsolationTests : EndToEndFixture
{
    private const string Action = "DescribeDatahubTasks";

    [Test]
    public async Task Tiny_and_huge_timeout_headers_spoil_no_normal_scrape()
    {
        var stack = await ExporterStack.StartAsync(SimulatorOptions(tasks: 250, resources: 5));
        var (simulator, exporter, http) = (stack.Simulator, stack.Exporter, stack.Http);
        try
        {
            // The huge header against a hanging API, then the client goes away.
            simulator.State.SetFault(Fault.Hang(), Action);
            using (var huge = new CancellationTokenSource())
            {
                var request = Scrape(http, exporter, 86_400, huge.Token);
                await Eventually.HoldsAsync(() => simulator.State.RequestCount(Action) >= 2, "the huge scrape's collection reached the hanging API");
                await huge.CancelAsync();
                Assert.That(async () => await request, Throws.InstanceOf<OperationCanceledException>());
            }

            // Nobody waits any more, so the exporter cancels the hanging calls (counted as Timeout on /metrics).
            await Eventually.HoldsAsync(async () => (await GetAsync(http, exporter.BaseAddress, "/metrics"))
                .Contains("action=\"DescribeDatahubTasks\",region=\"ap-guangzhou\",code=\"Timeout\"", StringComparison.Ordinal),
                "the abandoned collection was cancelled");
            simulator.State.ClearFaults();

            using var stop = new CancellationTokenSource();
            var tinyAnswers = 0;
            var tiny = Task.Run(async () =>
            {
                // Bounded: at most 2,000 requests or until the normal scrapes are done.
                for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
                {
                    var body = await Scrape(http, exporter, 0.0001, CancellationToken.None);
                    Assert.That(body, Does.Contain("datahub_exporter_collect_success{region=\"ap-guangzhou\",collector=\"datahub_tasks\"} 0"));
                    Interlocked.Increment(ref tinyAnswers);
                }
            });

            for (var i = 0; i < 6; i++)
            {
                var samples = ExpositionParser.Parse(await Scrape(http, exporter, 10, CancellationToken.None));
                Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Is.All.EqualTo(1), $"normal scrape {i}");
                Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(2 * 250), $"normal scrape {i}");
                Assert.That(samples.Where(s => s.Name == "datahub_task_error_count").Select(s => s.Value), Is.All.EqualTo(0), $"normal scrape {i}");
            }

            await stop.CancelAsync();
            await tiny;
            Assert.That(tinyAnswers, Is.GreaterThan(0));

            var metrics = ExpositionParser.Parse(await GetAsync(http, exporter.BaseAddress, "/metrics"));
            Assert.That(metrics.Single(s => s.Name == "datahub_exporter_scrapes_total" && s["collector"] == "datahub_tasks" && s["answer"] == "timed_out").Value,
                Is.EqualTo(tinyAnswers));
            Assert.That(exporter.Stderr, Does.Not.Contain("level=warn"), "nothing failed that anyone was waiting for");
        }
        finally
        {
            await stack.StopAsync("exporter logs after hostile timeout headers");
        }
    }

    private static async Task<string> Scrape(HttpClient http, ExporterProcess exporter, double header, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(exporter.BaseAddress, TasksPath));
        request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", header.ToString(CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, cancellationToken);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
