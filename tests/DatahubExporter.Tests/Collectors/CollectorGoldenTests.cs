using System.Text;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Collectors;

/// <summary>
/// Whole-output golden files of the scrape paths: a fixed API answer in ap-guangzhou (nulls, hostile names,
/// a missing status), a failing ap-shanghai. Durations are zeroed, being the only values that vary.
/// Set UPDATE_GOLDEN=1 to rewrite the files after a deliberate change.
/// </summary>
public class CollectorGoldenTests
{
    private const string TasksJson = """
        {"Response":{"Result":{"TotalCount":4,"TaskList":[
          {"TaskId":"task-aaaa0001","TaskName":"orders \"prod\"","TaskType":"SOURCE","Status":1,"DatahubId":"datahub-1",
           "SourceResource":{"Type":"MYSQL"},"TargetResource":{"Type":"TOPIC"}},
          {"TaskId":"task-aaaa0002","TaskName":"C:\\path\nline 2 数据 🚀","TaskType":"SINK","Status":4,
           "ErrorMessage":"step 3 failed:\n\t connection refused \"db\"\u0000",
           "SourceResource":{"Type":"TOPIC"},"TargetResource":null},
          {"TaskId":"task-aaaa0003","TaskName":null,"Status":-1},
          {"TaskId":"task-aaaa0004","TaskName":"no status yet"}
        ]},"RequestId":"req-1"}}
        """;

    private const string ResourcesJson = """
        {"Response":{"Result":{"TotalCount":2,"ConnectResourceList":[
          {"ResourceId":"resource-0001","ResourceName":"es \\ sink","Type":"ES","Status":7,"ErrorMessage":"ES cluster unreachable"},
          {"ResourceId":"resource-0002","ResourceName":"","Type":null,"Status":"1"}
        ]},"RequestId":"req-2"}}
        """;

    private static ExporterServices Services(string ok) => Services(_ => ok);

    /// <summary>ap-guangzhou answers each request with <paramref name="answer"/>'s JSON; ap-shanghai refuses the signature.</summary>
    internal static ExporterServices Services(Func<RecordedRequest, string> answer)
    {
        var handler = new FakeHandler((_, r) => r.Header("X-TC-Region") == "ap-guangzhou"
            ? FakeHandler.Json(answer(r))
            : FakeHandler.ApiError("AuthFailure.SignatureFailure", "signature mismatch"));
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDgolden000001", "golden-key", null),
            Regions = ["ap-guangzhou", "ap-shanghai"],
            Endpoint = new Uri("https://ckafka.example/"),
            SourcePath = "golden.conf",
        }, TimeProvider.System);
        return new ExporterServices(new ExporterOptions { ApiMaxAttempts = 1, ApiRateLimit = 0 }, config, NullLoggerFactory.Instance,
            TimeProvider.System, new HttpClient(handler));
    }

    internal static string Render(ScrapeAnswer answer)
    {
        var families = answer.Families.Select(f => f.Name == "datahub_exporter_collect_duration_seconds"
            ? f with { Samples = f.Samples.Select(s => s with { Value = 0 }).ToList() }
            : f);
        using var buffer = new MemoryStream();
        ExpositionWriter.Write(buffer, families, ExpositionFormat.PrometheusText004);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static void AssertGolden(string actual, string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "testdata", "collectors", file);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "testdata", "collectors", file);
            File.WriteAllText(source, actual);
            Assert.Inconclusive($"rewrote {file}");
        }

        Assert.That(actual, Is.EqualTo(File.ReadAllText(path)));
    }

    [Test]
    public async Task Tasks_path_output_is_exactly_the_golden_file()
    {
        using var services = Services(TasksJson);
        AssertGolden(Render(await services.Engine.ScrapeAsync(DatahubTasksPath.Path, TimeSpan.FromSeconds(10), CancellationToken.None)), "datahub_tasks.prom");
    }

    [Test]
    public async Task Resources_path_output_is_exactly_the_golden_file()
    {
        using var services = Services(ResourcesJson);
        AssertGolden(Render(await services.Engine.ScrapeAsync(ConnectResourcesPath.Path, TimeSpan.FromSeconds(10), CancellationToken.None)), "connect_resources.prom");
    }

    [Test]
    public async Task Task_lag_path_output_is_exactly_the_golden_file()
    {
        using var services = Services(TaskLagAnswers.Answer);
        AssertGolden(Render(await services.Engine.ScrapeAsync(DatahubTaskLagPath.Path, TimeSpan.FromSeconds(10), CancellationToken.None)),
            "datahub_task_lag.prom");
    }
}
