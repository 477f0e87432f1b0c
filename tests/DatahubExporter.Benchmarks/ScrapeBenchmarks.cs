using BenchmarkDotNet.Attributes;
using CkafkaSimulator;
using DatahubExporter.Collectors;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Benchmarks;

/// <summary>
/// One full scrape of the tasks path — 2,000 tasks in one region, 20 pages over loopback from the in-process
/// simulator, collected and rendered as text 0.0.4 — through <see cref="ExporterServices"/> (the object the HTTP
/// host serves from), against the floor of the same 20 signed round-trips with nothing done to the answers.
/// The client-side rate limiter is off: it would add a deliberate second at 20 requests/s. Pages after the
/// first go out concurrently (issue 7), so this is no longer 20 round-trips one after the other.
/// </summary>
/// <remarks>More iterations than the other classes: the simulator shares the two cores with the client, and three
/// iterations of a 30 ms operation leave the ratio mostly noise.</remarks>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(15)]
public class ScrapeBenchmarks
{
    public const int Tasks = 2000;

    private SimulatorServer _simulator = null!;
    private ExporterServices _services = null!;
    private ApiHttp _rawHttp = null!;
    private TencentCloudClient _raw = null!;

    [GlobalSetup]
    public void Setup()
    {
        _simulator = SimulatorServer.StartAsync(new SimulatorOptions { DataSet = SimulatorDataSet.Generate(Tasks, 10) }).GetAwaiter().GetResult();
        _services = BenchTargets.Services(_simulator.BaseAddress);
        _rawHttp = ApiHttp.Create();
        _raw = BenchTargets.Client(_rawHttp);
        if (ScrapeAsync().GetAwaiter().GetResult() < Tasks * 100)
        {
            throw new InvalidOperationException("the scrape did not return every task");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _rawHttp.Dispose();
        _simulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "20 signed round-trips to the simulator (floor)")]
    public async Task<int> RawRoundTripsAsync()
    {
        var target = BenchTargets.Target(_simulator.BaseAddress);
        var total = 0;
        for (var page = 0; page < Tasks / 100; page++)
        {
            using var document = await _raw.CallAsync(target, "DescribeDatahubTasks", BenchTargets.PageBody(page * 100), CancellationToken.None);
            total += document.RootElement.GetProperty("Result").GetProperty("TaskList").GetArrayLength();
        }

        return total;
    }

    [Benchmark(Description = "full tasks-path scrape via ExporterServices (20 pages + render)")]
    public Task<long> ScrapeAsync() => BenchTargets.ScrapeTasksAsync(_services);
}
