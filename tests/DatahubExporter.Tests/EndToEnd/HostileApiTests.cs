using CkafkaSimulator;
using static DatahubExporter.Tests.EndToEnd.EndToEndFixture;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>Issue 8 rows 1, 2 and the collection-failure message of row 11, through the real binary.</summary>
[TestFixture]
[NonParallelizable]
public class HostileApiTests
{
    private const string TasksPath = "/api/v1/ckafka/datahub_tasks/metrics";
    private const string ResourcesPath = "/api/v1/ckafka/connect_resources/metrics";
    private string _dir = null!;
    private SimulatorServer _simulator = null!;
    private ExporterProcess _exporter = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _dir = NewTempDir();
        _http = EndToEndFixture.Http();
        _simulator = await SimulatorServer.StartAsync(SimulatorOptions(tasks: 250, resources: 30));
        _exporter = await ExporterProcess.StartServerAsync(["--conf", WriteConfig(_dir, _simulator.BaseAddress), "--web.listen-address=127.0.0.1:0"]);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        var stderr = _exporter.Stderr;
        await _exporter.DisposeAsync();
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
        AssertNoSecrets(stderr, "exporter logs");
        CliTests.AssertNoStackTrace(stderr, "exporter logs");
    }

    [TestCase(TasksPath, "DescribeDatahubTasks", "datahub_task_status", "TaskName", 250)]
    [TestCase(ResourcesPath, "DescribeConnectResources", "connect_resource_status", "ResourceName", 30)]
    public async Task Lone_surrogates_in_names_blank_nothing(string path, string action, string status, string nameLabel, int count)
    {
        _simulator.State.SetFault(Fault.LoneSurrogate(), action, "ap-guangzhou");

        var samples = ExpositionParser.Parse(await GetAsync(_http, _exporter.BaseAddress, path, 10));

        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Is.All.EqualTo(1));
        Assert.That(samples.Count(s => s.Name == status && s["region"] == "ap-guangzhou"), Is.EqualTo(count));
        Assert.That(samples.Count(s => s.Name == status && s["region"] == "ap-guangzhou" && s[nameLabel].Contains('\uFFFD', StringComparison.Ordinal)),
            Is.EqualTo(2 * ((count + 99) / 100)), "two damaged names a page, with U+FFFD where the lone surrogates were");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_lost_list_is_a_failed_collection_logged_at_warn_with_page_and_request_id(bool missingResult)
    {
        _simulator.State.SetFault(Fault.LostList(missingResult), "DescribeDatahubTasks", "ap-shanghai");

        var samples = ExpositionParser.Parse(await GetAsync(_http, _exporter.BaseAddress, TasksPath, 10));

        double Value(string name, string region) => samples.Single(s => s.Name == name && s["region"] == region).Value;
        Assert.That(Value("datahub_exporter_collect_success", "ap-shanghai"), Is.EqualTo(0));
        Assert.That(Value("datahub_task_error_count", "ap-shanghai"), Is.EqualTo(1));
        Assert.That(Value("datahub_exporter_collect_success", "ap-guangzhou"), Is.EqualTo(1));
        Assert.That(samples.Count(s => s.Name == "datahub_task_status" && s["region"] == "ap-shanghai"), Is.Zero);
        var requestId = _simulator.State.Requests.Last(r => r.Region == "ap-shanghai" && r.Action == "DescribeDatahubTasks");
        var warn = await WaitForLineAsync("level=warn");
        Assert.That(warn, Does.Contain("DescribeDatahubTasks").And.Contain("ap-shanghai").And.Contain("page 1")
            .And.Contain("RequestId ").And.Contain("0 of 1 pages").And.Contain("budget").And.Contain("code InvalidResponse"));
        Assert.That(requestId, Is.Not.Null);
    }

    [Test]
    public async Task A_failure_message_says_action_region_pages_budget_code_and_request_id()
    {
        // An API error that is not retried.
        _simulator.State.SetFault(Fault.Error("FailedOperation", "the account is frozen"), "DescribeDatahubTasks", "ap-shanghai");

        await GetAsync(_http, _exporter.BaseAddress, TasksPath, 10);

        var warn = await WaitForLineAsync("level=warn");
        Assert.That(warn, Does.Match("DescribeDatahubTasks in ap-shanghai failed after 0 of 1 pages \\([0-9.]+ s of a 9\\.3 s budget\\): code FailedOperation:.*RequestId [0-9a-f-]{36}"));
    }

    private async Task<string> WaitForLineAsync(string marker)
    {
        await Eventually.HoldsAsync(() => _exporter.Stderr.Contains(marker, StringComparison.Ordinal), $"a log line with {marker}");

        return _exporter.Stderr.Split('\n').First(l => l.Contains(marker, StringComparison.Ordinal));
    }
}
