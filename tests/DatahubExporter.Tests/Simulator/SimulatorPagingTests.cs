using System.Text.Json;
using CkafkaSimulator;

namespace DatahubExporter.Tests.Simulator;

/// <summary>Paging, caps, parameter checks and item shape as spec §2.3–§2.5 describe them.</summary>
public class SimulatorPagingTests
{
    private SimulatorDataSet _data = null!;
    private SimulatorServer _server = null!;
    private SimulatorApiClient _client = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _data = SimulatorDataSet.Generate(130, 45);
        _server = await SimulatorServer.StartAsync(new SimulatorOptions { DataSet = _data });
        _client = new SimulatorApiClient(_server);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static JsonElement Result(JsonElement response)
    {
        Assert.That(SimulatorApiClient.ErrorCode(response), Is.Null, response.ToString());
        return response.GetProperty("Result");
    }

    [Test]
    public async Task Limit_defaults_to_20()
    {
        var result = Result(await _client.TasksAsync());
        Assert.That(result.GetProperty("TaskList").GetArrayLength(), Is.EqualTo(20));
        Assert.That(result.GetProperty("TotalCount").GetInt64(), Is.EqualTo(130));
    }

    [Test]
    public async Task Limit_over_100_is_capped_to_100()
    {
        var tasks = Result(await _client.TasksAsync("{\"Limit\":500,\"Offset\":0}"));
        var resources = Result(await _client.ResourcesAsync("{\"Limit\":500}"));
        Assert.That(tasks.GetProperty("TaskList").GetArrayLength(), Is.EqualTo(100));
        Assert.That(resources.GetProperty("ConnectResourceList").GetArrayLength(), Is.EqualTo(45));
        Assert.That(_server.State.Requests[0].Limit, Is.EqualTo(500));
    }

    [TestCase("{\"Limit\":0}", "InvalidParameterValue")]
    [TestCase("{\"Limit\":-1}", "InvalidParameterValue")]
    [TestCase("{\"Offset\":-1}", "InvalidParameterValue")]
    [TestCase("{\"Limit\":\"10\"}", "InvalidParameterValue")]
    [TestCase("{\"Limit\":1.5}", "InvalidParameterValue")]
    [TestCase("{\"SearchWord\":5}", "InvalidParameterValue")]
    [TestCase("{\"Filters\":[]}", "UnknownParameter")]
    [TestCase("{\"Limit\":", "InvalidParameter")]
    [TestCase("[1]", "InvalidParameter")]
    public async Task Bad_parameters_are_rejected(string body, string code)
    {
        Assert.That(SimulatorApiClient.ErrorCode(await _client.TasksAsync(body)), Is.EqualTo(code));
    }

    [Test]
    public async Task Null_parameters_count_as_absent()
    {
        var result = Result(await _client.TasksAsync("{\"Limit\":null,\"SearchWord\":null}"));
        Assert.That(result.GetProperty("TaskList").GetArrayLength(), Is.EqualTo(20));
    }

    [Test]
    public async Task Paging_through_tasks_yields_each_task_once_in_order()
    {
        var seen = new List<string>();
        for (var offset = 0; offset < 1000; offset += 50)
        {
            var result = Result(await _client.TasksAsync($"{{\"Limit\":50,\"Offset\":{offset}}}"));
            var page = result.GetProperty("TaskList").EnumerateArray().Select(t => t.GetProperty("TaskId").GetString()!).ToList();
            seen.AddRange(page);
            if (offset + 50 >= result.GetProperty("TotalCount").GetInt64())
            {
                break;
            }
        }
        Assert.That(seen, Is.EqualTo(_data.Tasks.Select(t => t.TaskId)));
    }

    [Test]
    public async Task Paging_through_resources_yields_each_resource_once_in_order()
    {
        var first = Result(await _client.ResourcesAsync("{\"Limit\":30,\"Offset\":0}")).GetProperty("ConnectResourceList");
        var second = Result(await _client.ResourcesAsync("{\"Limit\":30,\"Offset\":30}")).GetProperty("ConnectResourceList");
        var ids = first.EnumerateArray().Concat(second.EnumerateArray()).Select(r => r.GetProperty("ResourceId").GetString());
        Assert.That(ids, Is.EqualTo(_data.Resources.Select(r => r.ResourceId)));
    }

    [Test]
    public async Task Offset_past_the_end_is_an_empty_list_with_the_total()
    {
        var result = Result(await _client.TasksAsync("{\"Offset\":1000}"));
        Assert.That(result.GetProperty("TaskList").GetArrayLength(), Is.EqualTo(0));
        Assert.That(result.GetProperty("TotalCount").GetInt64(), Is.EqualTo(130));
    }

    [Test]
    public async Task Search_word_and_task_type_filter_the_list()
    {
        var byWord = Result(await _client.TasksAsync("{\"SearchWord\":\"TASK-NAME-010\"}"));
        var sinks = Result(await _client.TasksAsync("{\"TaskType\":\"SINK\",\"Limit\":100}"));
        Assert.That(byWord.GetProperty("TotalCount").GetInt64(), Is.EqualTo(10));
        Assert.That(sinks.GetProperty("TaskList").EnumerateArray().Select(t => t.GetProperty("TaskType").GetString()).Distinct(),
            Is.EqualTo(new[] { "SINK" }));
        Assert.That(sinks.GetProperty("TotalCount").GetInt64(), Is.EqualTo(_data.Tasks.Count(t => t.TaskType == "SINK")));
    }

    [Test]
    public async Task Hostile_names_survive_the_json_round_trip()
    {
        var names = new List<string?>();
        for (var offset = 0; offset < _data.Tasks.Count; offset += 100)
        {
            var page = Result(await _client.TasksAsync($"{{\"Limit\":100,\"Offset\":{offset}}}")).GetProperty("TaskList");
            names.AddRange(page.EnumerateArray().Select(t => t.GetProperty("TaskName").GetString()));
        }
        Assert.That(names, Is.EqualTo(_data.Tasks.Select(t => t.TaskName)));
        Assert.That(names, Does.Contain(null).And.Contain("").And.Contain("数据同步任务").And.Contain("new\nline"));
    }

    [Test]
    public async Task Task_item_has_the_documented_shape()
    {
        var task = Result(await _client.TasksAsync("{\"Limit\":1}")).GetProperty("TaskList")[0];
        var expected = _data.Tasks[0];
        Assert.That(task.GetProperty("TaskId").GetString(), Does.Match("^task-[a-z0-9]{8}$"));
        Assert.That(task.GetProperty("Status").GetInt64(), Is.EqualTo(expected.Status));
        Assert.That(task.GetProperty("CreateTime").GetString(), Does.Match(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"));
        Assert.That(task.GetProperty("SourceResource").GetProperty("Type").GetString(), Is.EqualTo(expected.SourceType));
        Assert.That(task.GetProperty("TargetResource").GetProperty("KafkaParam").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(task.GetProperty("TaskProgress").GetDouble(), Is.EqualTo(expected.TaskProgress));
        Assert.That(task.GetProperty("StepList").GetArrayLength(), Is.EqualTo(expected.StepList.Count));
    }

    [Test]
    public async Task Resource_item_has_the_documented_shape()
    {
        var resource = Result(await _client.ResourcesAsync("{\"Limit\":1}")).GetProperty("ConnectResourceList")[0];
        Assert.That(resource.GetProperty("ResourceId").GetString(), Does.Match("^resource-[a-z0-9]{8}$"));
        Assert.That(resource.GetProperty("Type").GetString(), Is.EqualTo("KAFKA"));
        Assert.That(resource.GetProperty("KafkaConnectParam").GetProperty("Resource").GetString(), Is.EqualTo(_data.Resources[0].ResourceId));
        Assert.That(resource.GetProperty("MySQLConnectParam").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(resource.GetProperty("DatahubTaskCount").GetInt64(), Is.EqualTo(_data.Resources[0].DatahubTaskCount));
    }

    [Test]
    public async Task Single_resource_is_found_by_id()
    {
        var id = _data.Resources[3].ResourceId;
        var response = await _client.CallAsync(new SignedCall { Action = "DescribeConnectResource", Body = $"{{\"ResourceId\":\"{id}\"}}" });
        var result = Result(response);
        Assert.That(result.GetProperty("ResourceId").GetString(), Is.EqualTo(id));
        Assert.That(result.TryGetProperty("DatahubTaskCount", out _), Is.False);
    }

    [TestCase("{\"ResourceId\":\"resource-nothere1\"}", "ResourceNotFound")]
    [TestCase("{}", "MissingParameter")]
    public async Task Single_resource_errors(string body, string code)
    {
        var response = await _client.CallAsync(new SignedCall { Action = "DescribeConnectResource", Body = body });
        Assert.That(SimulatorApiClient.ErrorCode(response), Is.EqualTo(code));
    }

    [Test]
    public async Task Status_change_is_visible_on_the_next_request()
    {
        var id = _data.Tasks[0].TaskId;
        Assert.That(_server.State.SetTaskStatus(id, 4), Is.True);
        var task = Result(await _client.TasksAsync("{\"Limit\":1}")).GetProperty("TaskList")[0];
        Assert.That(task.GetProperty("Status").GetInt64(), Is.EqualTo(4));
        Assert.That(_server.State.SetTaskStatus("task-nothere1", 4), Is.False);
    }

    [Test]
    public async Task Status_change_for_one_region_leaves_the_others()
    {
        var id = _data.Resources[0].ResourceId;
        _server.State.SetResourceStatus(id, 7, region: "ap-shanghai");
        var shanghai = Result(await _client.ResourcesAsync("{\"Limit\":1}", "ap-shanghai")).GetProperty("ConnectResourceList")[0];
        var guangzhou = Result(await _client.ResourcesAsync("{\"Limit\":1}", "ap-guangzhou")).GetProperty("ConnectResourceList")[0];
        Assert.That((shanghai.GetProperty("Status").GetInt64(), guangzhou.GetProperty("Status").GetInt64()), Is.EqualTo((7L, _data.Resources[0].Status)));
    }

    [Test]
    public async Task Removed_task_is_gone_from_the_next_page()
    {
        _server.State.UpdateTask(_data.Tasks[0].TaskId, _ => null);
        var result = Result(await _client.TasksAsync("{\"Limit\":1}"));
        Assert.That(result.GetProperty("TotalCount").GetInt64(), Is.EqualTo(129));
        Assert.That(result.GetProperty("TaskList")[0].GetProperty("TaskId").GetString(), Is.EqualTo(_data.Tasks[1].TaskId));
    }
}
