using CkafkaSimulator;
using DatahubExporter.Collectors;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>The lag path of the real binary against the simulator's 200 tasks with consumer groups (issue 18, "Done
/// when"): exactly the eligible tasks, the simulator's own numbers, one group call per eligible task.</summary>
public class TaskLagEndToEndTests : EndToEndFixture
{
    private static readonly string LagPath = DatahubTaskLagPath.Path.HttpPath;

    private ExporterStack _stack = null!;

    private SimulatorState State => _stack.Simulator.State;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var options = SimulatorOptions();
        options.DataSet = SimulatorDataSet.Generate(200, 10, lagSinks: true);
        _stack = await ExporterStack.StartAsync(options, flags: ["--log.level=debug"]);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _stack.StopAsync("exporter logs of the lag path");

    [SetUp]
    public void ClearFaults() => State.ClearFaults();

    private IEnumerable<SimulatedTask> Eligible(string region) => State.Data(region).Tasks.Where(t => t.Status == 1 && SimulatorState.HasGroup(t));

    /// <summary>What the simulator holds for every eligible task's group, as (region, TaskId, topic, lag, offset sum).</summary>
    private List<(string, string, string, double, double)> Expected() =>
        Regions.SelectMany(region => Eligible(region).SelectMany(task => State.GroupOffsets(task.TaskId, region)!
                .Select(t => (region, task.TaskId, t.Topic, (double)t.Lag, (double)t.OffsetSum))))
            .OrderBy(s => s.Item1 + "/" + s.Item2 + "/" + s.Item3, StringComparer.Ordinal).ToList();

    private static List<(string, string, string, double, double)> Exported(IReadOnlyList<ExpositionParser.ParsedSample> samples)
    {
        var offsets = samples.Where(s => s.Name == "datahub_task_consumer_current_offset_sum")
            .ToDictionary(s => (s["region"], s["TaskId"], s["topic"]), s => s.Value);
        return samples.Where(s => s.Name == "datahub_task_consumer_lag")
            .Select(s => (s["region"], s["TaskId"], s["topic"], s.Value, offsets.GetValueOrDefault((s["region"], s["TaskId"], s["topic"]), double.NaN)))
            .OrderBy(s => s.Item1 + "/" + s.Item2 + "/" + s.Item3, StringComparer.Ordinal).ToList();
    }

    private async Task<IReadOnlyList<ExpositionParser.ParsedSample>> ScrapeLagAsync()
    {
        var text = await _stack.GetAsync(LagPath);
        AssertNoSecrets(text, "lag path");
        return ExpositionParser.Parse(text);
    }

    [Test]
    public async Task Every_eligible_task_and_no_other_has_both_series_equal_to_the_simulators_numbers()
    {
        var samples = await ScrapeLagAsync();

        var expected = Expected();
        Assert.That(Eligible("ap-guangzhou").Count(), Is.EqualTo(40));
        Assert.That(Eligible("ap-guangzhou").Select(t => t.SourceType).Distinct(), Is.EquivalentTo(new[] { "KAFKA", "TOPIC" }));
        Assert.That(Exported(samples), Is.EqualTo(expected));
        Assert.That(samples.Count(s => s.Name == "datahub_task_consumer_current_offset_sum"), Is.EqualTo(expected.Count));
        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => (s["region"], s["collector"], s.Value)),
            Is.EquivalentTo(Regions.Select(r => (r, "datahub_task_lag", 1.0))));
    }

    [Test]
    public async Task One_group_call_per_eligible_task_and_none_on_the_plain_tasks_path()
    {
        State.ResetCounters();
        await _stack.GetAsync(TasksPath);
        Assert.That(State.RequestCount("DescribeGroupOffsets") + State.RequestCount("DescribeDatahubGroupOffsets"), Is.EqualTo(0));

        await ScrapeLagAsync();

        foreach (var region in Regions)
        {
            Assert.That(State.RequestCount("DescribeGroupOffsets", region), Is.EqualTo(Eligible(region).Count(t => t.SourceType == "KAFKA")), region);
            Assert.That(State.RequestCount("DescribeDatahubGroupOffsets", region), Is.EqualTo(Eligible(region).Count(t => t.SourceType == "TOPIC")), region);
        }
    }

    [Test]
    public async Task Changing_a_tasks_lag_and_consuming_show_on_the_next_scrape()
    {
        var elastic = Eligible("ap-guangzhou").First(t => t.SourceType == "TOPIC");
        var instance = Eligible("ap-guangzhou").First(t => t.SourceType == "KAFKA");
        Assert.That(State.SetTaskLag(elastic.TaskId, 5000), Is.True);
        Assert.That(State.ConsumeMessages(instance.TaskId, 300), Is.True);

        var exported = Exported(await ScrapeLagAsync());

        Assert.That(exported, Is.EqualTo(Expected()));
        Assert.That(exported.Where(s => s.Item2 == elastic.TaskId).Select(s => s.Item4), Is.EqualTo(new[] { 5000.0, 5000.0 }), "both regions");
    }

    [Test]
    public async Task A_failing_action_costs_only_its_tasks_and_damaged_partitions_are_left_out()
    {
        State.SetFault(Fault.Error("ResourceNotFound", "The instance is not found."), "DescribeGroupOffsets", "ap-shanghai");
        State.SetFault(Fault.PartitionErrors(), "DescribeDatahubGroupOffsets", "ap-guangzhou");

        var samples = await ScrapeLagAsync();

        var exported = Exported(samples);
        var kafka = Eligible("ap-shanghai").Where(t => t.SourceType == "KAFKA").Select(t => t.TaskId).ToHashSet();
        Assert.That(exported.Where(s => s.Item1 == "ap-shanghai"),
            Is.EqualTo(Expected().Where(s => s.Item1 == "ap-shanghai" && !kafka.Contains(s.Item2))), "the TOPIC tasks keep their series");
        var elastic = Eligible("ap-guangzhou").First(t => t.SourceType == "TOPIC");
        var third = State.GroupOffsets(elastic.TaskId)!.Single().Partitions[2];
        Assert.That(exported.Single(s => s.Item1 == "ap-guangzhou" && s.Item2 == elastic.TaskId).Item4, Is.EqualTo(third.Lag),
            "partition 0 (ErrorCode 3) and partition 1 (null Lag) are left out");
        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => (s["region"], s.Value)),
            Is.EquivalentTo(new[] { ("ap-guangzhou", 1.0), ("ap-shanghai", 0.0) }));
    }
}
