using System.Text.Json;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Collectors;

/// <summary>The lag path against <see cref="TaskLagAnswers"/>: which tasks get a group call, with what, and what a
/// failed or paged group answer gives (exporter.md "Is data flowing: the task-lag path").</summary>
public class DatahubTaskLagPathTests
{
    private static readonly string[] GroupActions = [DatahubTaskLagPath.GroupOffsetsAction, DatahubTaskLagPath.DatahubGroupOffsetsAction];

    private static (ExporterServices Services, FakeHandler Handler) Services(Func<RecordedRequest, HttpResponseMessage> respond, string? groupPattern = null,
        int attempts = 1)
    {
        var handler = new FakeHandler((_, r) => respond(r));
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDlag0000000001", "lag-key", null),
            Regions = ["ap-guangzhou"],
            Endpoint = new Uri("https://ckafka.example/"),
            TaskLagGroup = groupPattern is null ? TaskLagGroup.Default : new TaskLagGroup(groupPattern),
            SourcePath = "lag.conf",
        }, TimeProvider.System);
        return (new ExporterServices(new ExporterOptions { ApiMaxAttempts = attempts, ApiRateLimit = 0 }, config, NullLoggerFactory.Instance,
            TimeProvider.System, new HttpClient(handler)), handler);
    }

    private static async Task<IReadOnlyList<ExpositionParser.ParsedSample>> ScrapeAsync(ExporterServices services, ScrapePath path) =>
        ExpositionParser.Parse(CollectorGoldenTests.Render(await services.Engine.ScrapeAsync(path, TimeSpan.FromSeconds(10), CancellationToken.None)));

    private static IEnumerable<RecordedRequest> GroupCalls(FakeHandler handler) => handler.Requests.Where(r => GroupActions.Contains(r.Header("X-TC-Action")));

    [Test]
    public async Task Each_running_sink_task_with_a_topic_source_gets_one_group_call_with_the_documented_parameters()
    {
        var (services, handler) = Services(r => FakeHandler.Json(TaskLagAnswers.Answer(r)));
        using var _ = services;

        await ScrapeAsync(services, DatahubTaskLagPath.Path);

        Assert.That(GroupCalls(handler).Select(r => (r.Header("X-TC-Action"), r.BodyText)), Is.EquivalentTo(new[]
        {
            ("DescribeDatahubGroupOffsets", """{"Name":"topic-elastic-1","Group":"datahub-task-lag00001","Limit":50,"Offset":0}"""),
            ("DescribeGroupOffsets", """{"InstanceId":"ckafka-inst1","Group":"datahub-task-lag00002","Topics":["orders","payments"],"Limit":50,"Offset":0}"""),
            ("DescribeGroupOffsets", """{"InstanceId":"ckafka-inst2","Group":"datahub-task-lag00003","Limit":50,"Offset":0}"""),
        }));
    }

    [Test]
    public async Task The_plain_tasks_path_makes_no_group_call_and_exports_no_lag()
    {
        var (services, handler) = Services(r => FakeHandler.Json(TaskLagAnswers.Answer(r)));
        using var _ = services;

        var samples = await ScrapeAsync(services, DatahubTasksPath.Path);

        Assert.That(handler.Count, Is.EqualTo(1));
        Assert.That(GroupCalls(handler), Is.Empty);
        Assert.That(samples.Where(s => s.Name.StartsWith("datahub_task_consumer_", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task The_group_pattern_names_each_task_group()
    {
        var (services, handler) = Services(r => FakeHandler.Json(TaskLagAnswers.Answer(r)), "connect-{TaskId}");
        using var _ = services;

        await ScrapeAsync(services, DatahubTaskLagPath.Path);

        Assert.That(GroupCalls(handler).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("Group").GetString()),
            Is.EquivalentTo(new[] { "connect-task-lag00001", "connect-task-lag00002", "connect-task-lag00003" }));
    }

    [Test]
    public async Task A_failed_group_call_costs_its_task_the_series_and_the_collection_its_success_but_not_the_other_tasks()
    {
        var (services, handler) = Services(r => r.BodyText.Contains("datahub-task-lag00002", StringComparison.Ordinal)
            ? FakeHandler.ApiError("ResourceNotFound", "The instance is not found.")
            : FakeHandler.Json(TaskLagAnswers.Answer(r)));
        using var _ = services;

        var samples = await ScrapeAsync(services, DatahubTaskLagPath.Path);

        Assert.That(samples.Where(s => s.Name == "datahub_task_consumer_lag").Select(s => (s["TaskId"], s["topic"], s.Value)),
            Is.EqualTo(new[] { ("task-lag00001", "topic-elastic-1", 5.0) }));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success")["collector"], Is.EqualTo("datahub_task_lag"));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success").Value, Is.EqualTo(0));
        Assert.That(GroupCalls(handler).Count(), Is.EqualTo(3), "the failure stopped no other call");
    }

    [Test]
    public async Task A_group_with_more_topics_than_a_page_is_read_page_by_page()
    {
        static string Topics(int from, int count) => string.Join(",", Enumerable.Range(from, count).Select(i =>
            $$"""{"Topic":"t{{i:D2}}","Partitions":[{"Partition":0,"Offset":{{i}},"Lag":1,"ErrorCode":0}]}"""));
        var (services, handler) = Services(r =>
        {
            if (r.Header("X-TC-Action") == "DescribeDatahubTasks")
            {
                return FakeHandler.Json("""
                    {"Response":{"Result":{"TotalCount":1,"TaskList":[{"TaskId":"task-many","TaskType":"SINK","Status":1,
                      "SourceResource":{"Type":"TOPIC","TopicParam":{"Resource":"big"}}}]},"RequestId":"r"}}
                    """);
            }

            var offset = JsonDocument.Parse(r.Body).RootElement.GetProperty("Offset").GetInt32();
            return FakeHandler.Json("""{"Response":{"Result":{"TotalCount":60,"TopicList":[""" + Topics(offset, Math.Min(50, 60 - offset)) +
                                    """]},"RequestId":"r"}}""");
        });
        using var _ = services;

        var samples = await ScrapeAsync(services, DatahubTaskLagPath.Path);

        Assert.That(GroupCalls(handler).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("Offset").GetInt32()), Is.EquivalentTo(new[] { 0, 50 }));
        Assert.That(samples.Count(s => s.Name == "datahub_task_consumer_current_offset_sum"), Is.EqualTo(60));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success").Value, Is.EqualTo(1));
    }

    [Test]
    public async Task A_group_answer_that_lost_its_list_is_a_failed_call_not_an_idle_group()
    {
        var (services, _) = Services(r => r.Header("X-TC-Action") == "DescribeDatahubTasks"
            ? FakeHandler.Json(TaskLagAnswers.Tasks)
            : FakeHandler.Json("""{"Response":{"Result":{"TotalCount":2,"TopicList":null},"RequestId":"r"}}"""));
        using var _s = services;

        var samples = await ScrapeAsync(services, DatahubTaskLagPath.Path);

        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success").Value, Is.EqualTo(0));
        Assert.That(samples.Where(s => s.Name.StartsWith("datahub_task_consumer_", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task A_rate_limited_group_call_is_retried_and_its_task_keeps_its_series()
    {
        var refused = 0;
        var (services, handler) = Services(r => r.Header("X-TC-Action") == DatahubTaskLagPath.DatahubGroupOffsetsAction && Interlocked.Increment(ref refused) == 1
            ? FakeHandler.ApiError("RequestLimitExceeded", "Your current request times exceeds the frequency limit.")
            : FakeHandler.Json(TaskLagAnswers.Answer(r)), attempts: 3);
        using var _ = services;

        var samples = await ScrapeAsync(services, DatahubTaskLagPath.Path);

        Assert.That(handler.Requests.Count(r => r.Header("X-TC-Action") == DatahubTaskLagPath.DatahubGroupOffsetsAction), Is.EqualTo(2));
        Assert.That(samples.Where(s => s.Name == "datahub_task_consumer_lag").Select(s => s["TaskId"]), Is.EquivalentTo(new[] { "task-lag00001", "task-lag00002" }));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success").Value, Is.EqualTo(1));
    }
}
