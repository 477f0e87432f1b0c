using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>Issue 8 row 11: <c>--once</c> collects every path at the same time, so a hanging API costs one
/// timeout, not one per path.</summary>
public class OnceTests : EndToEndFixture
{
    [Test]
    public async Task Once_collects_both_paths_concurrently_against_a_hanging_api()
    {
        using var temp = new TempDirectory();
        var dir = temp.Path;
        await using var simulator = await SimulatorServer.StartAsync(SimulatorOptions(tasks: 10, resources: 10));
        simulator.State.SetFault(Fault.Hang());
        var conf = WriteConfig(dir, simulator.BaseAddress, regions: "ap-guangzhou");

        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--conf", conf, "--once", "--scrape.default-timeout", "3"]);

        Assert.That(code, Is.EqualTo(1), stderr);
        // Each hanging call lasts until the deadline; one after the other, the two would never overlap.
        // The lag path lists tasks too (its group calls never start: the list hangs).
        Assert.That(simulator.State.PeakInFlight, Is.EqualTo(3), "every path's list call was hanging in the simulator at once");
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => (s["collector"], s.Value)),
            Is.EquivalentTo(new[] { ("datahub_tasks", 0.0), ("connect_resources", 0.0), ("datahub_task_lag", 0.0) }));
        Assert.That(stderr, Does.Contain("DescribeDatahubTasks in ap-guangzhou failed on its first page").And.Contain("deadline exceeded"));
    }
}
