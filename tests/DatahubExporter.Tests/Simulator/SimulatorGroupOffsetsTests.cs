using System.Text.Json;
using CkafkaSimulator;

namespace DatahubExporter.Tests.Simulator;

/// <summary>The simulator's consumer groups of SINK tasks (spec §8): both actions, paging over topics, unknown groups,
/// the admin calls that move lag and offsets, and the PartitionErrors fault.</summary>
public class SimulatorGroupOffsetsTests
{
    private SimulatorDataSet _data = null!;
    private SimulatorServer _server = null!;
    private SimulatorApiClient _client = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _data = SimulatorDataSet.Generate(200, 10, hostileNames: false, lagSinks: true);
        _server = await SimulatorServer.StartAsync(new SimulatorOptions { DataSet = _data });
        _client = new SimulatorApiClient(_server);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private SimulatedTask Kafka(bool withTopics) => _data.Tasks.First(t => t.SourceType == "KAFKA" && (t.SourceTopics is not null) == withTopics);

    private SimulatedTask Elastic => _data.Tasks.First(t => t is { TaskType: "SINK", SourceType: "TOPIC", Status: 1 });

    private Task<JsonElement> GroupAsync(SimulatedTask task, string extra = "") => _client.CallAsync(task.SourceType == "KAFKA"
        ? new SignedCall { Action = "DescribeGroupOffsets", Body = $$"""{"InstanceId":"{{task.SourceResourceId}}","Group":"datahub-{{task.TaskId}}"{{extra}}}""" }
        : new SignedCall { Action = "DescribeDatahubGroupOffsets", Body = $$"""{"Name":"{{task.SourceResourceId}}","Group":"datahub-{{task.TaskId}}"{{extra}}}""" });

    private static IEnumerable<(string Topic, long Lag, long Offsets)> Sums(JsonElement response) =>
        response.GetProperty("Result").GetProperty("TopicList").EnumerateArray().Select(t => (
            t.GetProperty("Topic").GetString()!,
            t.GetProperty("Partitions").EnumerateArray().Sum(p => p.GetProperty("Lag").GetInt64()),
            t.GetProperty("Partitions").EnumerateArray().Sum(p => p.GetProperty("Offset").GetInt64())));

    private IEnumerable<(string Topic, long Lag, long Offsets)> Own(SimulatedTask task) =>
        _server.State.GroupOffsets(task.TaskId)!.Select(t => (t.Topic, t.Lag, t.OffsetSum));

    [Test]
    public void One_task_in_five_is_a_running_sink_with_a_group_and_both_source_kinds_occur()
    {
        var eligible = _data.Tasks.Where(t => t.Status == 1 && SimulatorState.HasGroup(t)).ToList();

        Assert.That(eligible, Has.Count.EqualTo(40));
        Assert.That(eligible.Count(t => t.SourceType == "KAFKA"), Is.EqualTo(20));
        Assert.That(_data.Tasks.Count(t => t.Status != 1 && SimulatorState.HasGroup(t)), Is.GreaterThan(0), "stopped sinks keep their groups");
    }

    [Test]
    public async Task Both_actions_answer_the_tasks_group_with_the_simulators_own_numbers()
    {
        var named = Kafka(withTopics: true);
        var unnamed = Kafka(withTopics: false);

        Assert.That(Sums(await GroupAsync(named)), Is.EqualTo(Own(named)));
        Assert.That(Own(named).Select(t => t.Topic), Is.EqualTo(named.SourceTopics!.Split(',')));
        Assert.That(Sums(await GroupAsync(unnamed)), Is.EqualTo(Own(unnamed)));
        Assert.That(Sums(await GroupAsync(Elastic)), Is.EqualTo(Own(Elastic)));
        Assert.That(Own(Elastic).Single().Topic, Is.EqualTo(Elastic.SourceResourceId));
    }

    [Test]
    public async Task Topics_restrict_the_answer_and_an_unknown_group_has_no_topics()
    {
        var task = Kafka(withTopics: true);
        var first = task.SourceTopics!.Split(',')[0];

        Assert.That(Sums(await GroupAsync(task, $$""","Topics":["{{first}}","nope"]""")).Select(t => t.Topic), Is.EqualTo(new[] { first }));
        var unknown = await _client.CallAsync(new SignedCall { Action = "DescribeDatahubGroupOffsets", Body = """{"Name":"x","Group":"someone-else"}""" });
        Assert.That(unknown.GetProperty("Result").GetProperty("TotalCount").GetInt64(), Is.EqualTo(0));
        Assert.That(unknown.GetProperty("Result").GetProperty("TopicList").GetArrayLength(), Is.EqualTo(0));
        var missing = await _client.ErrorCodeAsync(new SignedCall { Action = "DescribeGroupOffsets", Body = """{"Group":"datahub-x"}""" });
        Assert.That(missing, Is.EqualTo("MissingParameter"));
    }

    [Test]
    public async Task Setting_lag_and_consuming_move_the_answer()
    {
        var task = Elastic;
        var before = Own(task).Single();

        Assert.That(_server.State.SetTaskLag(task.TaskId, 1234), Is.True);
        Assert.That(Sums(await GroupAsync(task)).Single(), Is.EqualTo((before.Topic, 1234L, before.Offsets)));
        Assert.That(_server.State.ConsumeMessages(task.TaskId, 1000), Is.True);
        Assert.That(Sums(await GroupAsync(task)).Single(), Is.EqualTo((before.Topic, 234L, before.Offsets + 1000)));
        Assert.That(_server.State.ConsumeMessages(task.TaskId, 500), Is.True);
        Assert.That(Sums(await GroupAsync(task)).Single(), Is.EqualTo((before.Topic, 0L, before.Offsets + 1500)), "more than the lag: caught up");
        Assert.That(_server.State.SetTaskLag(_data.Tasks.First(t => t.TaskType == "SOURCE").TaskId, 1), Is.False, "a SOURCE task has no group");
    }

    [Test]
    public async Task The_admin_api_moves_lag_and_offsets()
    {
        var task = Kafka(withTopics: false);
        var before = Own(task).Single();

        using var lag = await _client.Http.PostAsync($"/_sim/tasks/{task.TaskId}/lag?value=70", null);
        using var consume = await _client.Http.PostAsync($"/_sim/tasks/{task.TaskId}/consume?value=20", null);
        using var bad = await _client.Http.PostAsync($"/_sim/tasks/{task.TaskId}/lag?value=-1", null);
        using var none = await _client.Http.PostAsync("/_sim/tasks/task-none/consume?value=1", null);

        Assert.That(((int)lag.StatusCode, (int)consume.StatusCode, (int)bad.StatusCode, (int)none.StatusCode), Is.EqualTo((204, 204, 400, 404)));
        Assert.That(Own(task).Single(), Is.EqualTo((before.Topic, 50L, before.Offsets + 20)));
    }

    [Test]
    public async Task Pages_over_topics_at_most_50()
    {
        var task = Kafka(withTopics: true);

        var page = await GroupAsync(task, ""","Limit":1,"Offset":1""");

        Assert.That(page.GetProperty("Result").GetProperty("TotalCount").GetInt64(), Is.EqualTo(2));
        Assert.That(Sums(page).Select(t => t.Topic), Is.EqualTo(new[] { task.SourceTopics!.Split(',')[1] }));
    }

    [Test]
    public async Task The_partition_errors_fault_damages_the_first_two_partitions_of_each_topic()
    {
        _server.State.SetFault(Fault.PartitionErrors(), "DescribeDatahubGroupOffsets");

        var partitions = (await GroupAsync(Elastic)).GetProperty("Result").GetProperty("TopicList")[0].GetProperty("Partitions");

        Assert.That(partitions[0].GetProperty("ErrorCode").GetInt32(), Is.EqualTo(3));
        Assert.That(partitions[1].GetProperty("Lag").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(partitions[1].GetProperty("Offset").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(partitions[2].GetProperty("ErrorCode").GetInt32(), Is.EqualTo(0));
    }
}
