using System.Net;
using System.Text.RegularExpressions;
using CkafkaSimulator;
using DatahubExporter.Http;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// <c>/status</c> in a real browser (issue 18 item 5): the real exporter against the simulator, with a task whose API
/// message holds a script and a resource whose name holds markup, loaded by headless Chromium. The test reads the
/// rendered DOM, not the HTML we sent, and keeps screenshots (desktop and phone width) as artefacts.
/// </summary>
public sealed partial class StatusPageBrowserTests : EndToEndFixture
{
    private const string Title = "datahub_exporter status";
    private const string ScriptMessage = "ES bulk write failed: <script>document.title='pwned';document.body.textContent='pwned'</script>";
    private const string MarkupName = "<b>es-prod</b><img src=x onerror=\"document.title='pwned'\">";

    private static SimulatorDataSet DataSet() => new(
        [
            new SimulatedTask { TaskId = "task-7dk2m1", TaskName = "orders-to-es", DatahubId = "datahub-1" },
            new SimulatedTask { TaskId = "task-3kq9p0", TaskName = "payments-to-cos", TargetType = "COS", DatahubId = "datahub-1" },
            new SimulatedTask { TaskId = "task-8zr4w6", TaskName = "clickstream-archive", Status = 6, TargetType = "COS", DatahubId = "datahub-2" },
            new SimulatedTask
            {
                TaskId = "task-1mv5c8", TaskName = "audit-log-to-cls", Status = -1, TargetType = "CLS",
                ErrorMessage = "CLS topic cls-9f2a not found in ap-guangzhou", DatahubId = "datahub-2",
            },
            .. Enumerable.Range(1, 8).Select(i => new SimulatedTask { TaskId = $"task-run{i:D3}", TaskName = $"metrics-shard-{i}", DatahubId = "datahub-3" }),
        ],
        [
            new SimulatedResource { ResourceId = "resource-es01", ResourceName = MarkupName, Type = "ELASTICSEARCH", Status = 7,
                ErrorMessage = "connection refused by 10.0.3.7:9200" },
            new SimulatedResource { ResourceId = "resource-cos01", ResourceName = "archive-bucket", Type = "COS" },
        ]);

    [Test]
    public async Task The_page_shows_the_failing_rows_with_the_message_as_text_and_runs_no_script()
    {
        var chromium = HeadlessChromium.Find() ?? throw new IgnoreException("needs headless Chromium (Debian: chromium-headless-shell; tests/scripts/install-test-tools.sh)");
        var simulator = SimulatorOptions();
        simulator.DataSet = DataSet();
        await using var stack = await ExporterStack.StartAsync(simulator);
        stack.Simulator.State.SetFault(Fault.Error("AuthFailure.UnauthorizedOperation", "CAM policy denies ckafka:DescribeConnectResources"),
            action: "DescribeConnectResources", region: "ap-shanghai");
        await ScrapeBothPathsAsync(stack);
        // A transition between two collections: the exporter logs it, and the page shows the new state.
        Assert.That(stack.Simulator.State.SetTaskStatus("task-7dk2m1", 9, "ap-guangzhou", ScriptMessage), Is.True);
        await ScrapeBothPathsAsync(stack);

        // Positive control: in this mode Chromium does run a page's scripts, so the checks below could fail.
        var control = await chromium.DumpDomAsync("data:text/html,<title>before</title><script>document.title='after'</script>");
        Assert.That(control, Does.Contain("<title>after</title>"));

        var url = new Uri(stack.BaseAddress, Endpoints.StatusPath).ToString();
        var dom = await chromium.DumpDomAsync(url);

        AssertNoSecrets(dom, "the status page");
        Assert.That(dom, Does.Contain($"<title>{Title}</title>").And.Not.Contain("pwned</title>"), "no script ran");
        Assert.That(dom, Does.Contain("<h1>datahub_exporter status</h1>"), "no script replaced the body");
        Assert.That(Regex.Matches(dom, "<script", RegexOptions.IgnoreCase), Is.Empty, "no script element in the DOM");
        Assert.That(Regex.Matches(dom, "<(img|b)[ >]", RegexOptions.IgnoreCase), Is.Empty, "no element from a name");

        // Every region serves the same data set; the transition was made in ap-guangzhou only.
        var failing = Rows(dom, "not-running-datahub_tasks");
        Assert.That(failing.Select(r => $"{r[0]} {r[1]}").Order(StringComparer.Ordinal), Is.EqualTo(new[]
        {
            "ap-guangzhou task-1mv5c8", "ap-guangzhou task-7dk2m1", "ap-guangzhou task-8zr4w6", "ap-shanghai task-1mv5c8", "ap-shanghai task-8zr4w6",
        }));
        var orders = failing.Single(r => r[1] == "task-7dk2m1");
        Assert.That(orders, Is.EqualTo(new[] { "ap-guangzhou", "task-7dk2m1", "orders-to-es", "resume failed (9)", ScriptMessage, orders[5] }));
        // Only ap-guangzhou's resources collection worked.
        var resource = Rows(dom, "not-running-connect_resources").Single();
        Assert.That(resource[..5], Is.EqualTo(new[] { "ap-guangzhou", "resource-es01", MarkupName, "abnormal (7)", "connection refused by 10.0.3.7:9200" }));
        var collections = Rows(dom, "collections");
        Assert.That(collections.Single(r => r[0] == "connect_resources" && r[1] == "ap-shanghai")[3], Is.EqualTo("failed"));
        Assert.That(collections.Single(r => r[0] == "connect_resources" && r[1] == "ap-shanghai")[8],
            Does.Contain("AuthFailure.UnauthorizedOperation: CAM policy denies ckafka:DescribeConnectResources"));

        var artefacts = Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts");
        foreach (var (name, width, height) in new[] { ("status-page.png", 1280, 1400), ("status-page-phone.png", 390, 1600) })
        {
            var file = Path.Combine(artefacts, name);
            await chromium.ScreenshotAsync(url, file, width, height);
            TestContext.AddTestAttachment(file);
            await TestContext.Progress.WriteLineAsync($"status page screenshot: {file}");
        }

        var stderr = await stack.StopAsync("exporter serving /status");
        var changes = stderr.Split('\n').Where(l => l.Contains("msg=\"status changed\"", StringComparison.Ordinal)).ToList();
        Assert.That(changes, Has.Count.EqualTo(1), stderr);
        Assert.That(changes[0], Does.Contain("msg=\"status changed\" collector=datahub_tasks region=ap-guangzhou id=task-7dk2m1 name=orders-to-es from=running to=\"resume failed\""));
    }

    private static async Task ScrapeBothPathsAsync(ExporterStack stack)
    {
        await stack.GetAsync(TasksPath);
        await stack.GetAsync(ResourcesPath);
    }

    /// <summary>The text of each cell of each body row of the table with <paramref name="id"/> in a serialised DOM.</summary>
    private static List<string[]> Rows(string dom, string id)
    {
        var table = Regex.Match(dom, $"<table[^>]*id=\"{id}\"[^>]*>(.*?)</table>", RegexOptions.Singleline);
        Assert.That(table.Success, Is.True, $"no table {id} in the DOM:\n{dom}");
        var body = Regex.Match(table.Groups[1].Value, "<tbody>(.*?)</tbody>", RegexOptions.Singleline).Groups[1].Value;
        return RowPattern().Matches(body)
            .Select(row => CellPattern().Matches(row.Groups[1].Value)
                .Select(cell => WebUtility.HtmlDecode(TagPattern().Replace(cell.Groups[1].Value, "")))
                .ToArray())
            .ToList();
    }

    [GeneratedRegex("<tr>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("<td[^>]*>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex CellPattern();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();
}
