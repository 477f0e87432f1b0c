using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>Issue 8 rows 1, 2 and the collection-failure message of row 11, through the real binary.</summary>
public class HostileApiTests : EndToEndFixture
{
    private ExporterStack _stack = null!;

    [SetUp]
    public async Task StartAsync() => _stack = await ExporterStack.StartAsync(SimulatorOptions(tasks: 250, resources: 30));

    [TearDown]
    public Task StopAsync() => _stack.StopAsync("exporter logs");

    [TestCase("datahub_tasks", "DescribeDatahubTasks", "datahub_task_status", "TaskName", 250)]
    [TestCase("connect_resources", "DescribeConnectResources", "connect_resource_status", "ResourceName", 30)]
    public async Task Lone_surrogates_in_names_blank_nothing(string collector, string action, string status, string nameLabel, int count)
    {
        var path = PathOf(collector);
        _stack.Simulator.State.SetFault(Fault.LoneSurrogate(), action, "ap-guangzhou");

        var samples = ExpositionParser.Parse(await _stack.GetAsync(path, 10));

        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Is.All.EqualTo(1));
        Assert.That(samples.Count(s => s.Name == status && s["region"] == "ap-guangzhou"), Is.EqualTo(count));
        Assert.That(samples.Count(s => s.Name == status && s["region"] == "ap-guangzhou" && s[nameLabel].Contains('\uFFFD', StringComparison.Ordinal)),
            Is.EqualTo(2 * ((count + 99) / 100)), "two damaged names a page, with U+FFFD where the lone surrogates were");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_lost_list_is_a_failed_collection_logged_at_warn_with_page_and_request_id(bool missingResult)
    {
        _stack.Simulator.State.SetFault(Fault.LostList(missingResult), "DescribeDatahubTasks", "ap-shanghai");

        var samples = ExpositionParser.Parse(await _stack.GetAsync(TasksPath, 10));

        double Value(string name, string region) => samples.Single(s => s.Name == name && s["region"] == region).Value;
        Assert.That(Value("datahub_exporter_collect_success", "ap-shanghai"), Is.EqualTo(0));
        Assert.That(Value("datahub_task_error_count", "ap-shanghai"), Is.EqualTo(1));
        Assert.That(Value("datahub_exporter_collect_success", "ap-guangzhou"), Is.EqualTo(1));
        Assert.That(samples.Count(s => s.Name == "datahub_task_status" && s["region"] == "ap-shanghai"), Is.Zero);
        var requestId = _stack.Simulator.State.Requests.Last(r => r.Region == "ap-shanghai" && r.Action == "DescribeDatahubTasks");
        var warn = await WaitForLineAsync("level=warn");
        Assert.That(warn, Does.Contain("DescribeDatahubTasks").And.Contain("ap-shanghai").And.Contain("page 1")
            .And.Contain("RequestId ").And.Contain("on its first page").And.Contain("budget").And.Contain("code InvalidResponse"));
        Assert.That(requestId, Is.Not.Null);
    }

    [Test]
    public async Task A_failure_message_says_action_region_pages_budget_code_and_request_id()
    {
        // An API error that is not retried.
        _stack.Simulator.State.SetFault(Fault.Error("FailedOperation", "the account is frozen"), "DescribeDatahubTasks", "ap-shanghai");

        await _stack.GetAsync(TasksPath, 10);

        var warn = await WaitForLineAsync("level=warn");
        Assert.That(warn, Does.Match("DescribeDatahubTasks in ap-shanghai failed on its first page \\([0-9.]+ s of a 9\\.3 s budget\\): code FailedOperation:.*RequestId [0-9a-f-]{36}"));
    }

    private async Task<string> WaitForLineAsync(string marker)
    {
        await Eventually.HoldsAsync(() => _stack.Exporter.Stderr.Contains(marker, StringComparison.Ordinal), $"a log line with {marker}");

        return _stack.Exporter.Stderr.Split('\n').First(l => l.Contains(marker, StringComparison.Ordinal));
    }
}
