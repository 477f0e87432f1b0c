using System.Text;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>Issue 8 rows 1 and 2: bad items stay bad alone, lost lists fail.</summary>
public class HostileAnswerTests
{
    private static readonly ApiTarget Target = new("ap-guangzhou", new Uri("https://ckafka.example/"), new Credentials("AKIDexample0001", "key", null));

    private static Task<IReadOnlyList<ListedItem>> List(string responseJson, ListProgress? progress = null)
    {
        var handler = new FakeHandler((_, _) => new HttpResponseMessage(System.Net.HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(responseJson)),
        });
        var client = new CkafkaClient(new TencentCloudClient(new HttpClient(handler),
            new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = 1 }, new RecordingObserver(), TimeProvider.System));
        var path = DatahubTasksPath.Path;
        return client.ListAsync(Target, path.Action, path.ListField, 100, path.Read, static i => i.Id, progress ?? new ListProgress(), CancellationToken.None);
    }

    [TestCase("a\\ud800b", "a\uFFFDb")]
    [TestCase("a\\udc00b", "a\uFFFDb")]
    [TestCase("\\ud800", "\uFFFD")]
    [TestCase("x\\udc00\\ud800", "x\uFFFD\uFFFD")]
    [TestCase("pair \\ud83d\\ude80 \\\"q\\\" \\\\ \\n", "pair 🚀 \"q\" \\ \n")]
    public async Task A_lone_surrogate_in_a_name_becomes_the_replacement_character_and_the_item_stays(string json, string expected)
    {
        var items = await List("{\"Response\":{\"Result\":{\"TotalCount\":2,\"TaskList\":[{\"TaskId\":\"t1\",\"TaskName\":\"" + json +
            "\",\"Status\":1,\"ErrorMessage\":\"" + json + "\"},{\"TaskId\":\"t2\",\"TaskName\":\"ok\",\"Status\":1}]},\"RequestId\":\"r1\"}}");

        Assert.That(items.Select(i => i.Id), Is.EqualTo(new[] { "t1", "t2" }));
        Assert.That(items[0].Name, Is.EqualTo(expected));
        Assert.That(items[0].ErrorMessage, Is.EqualTo(ErrorMessageText.Clean(expected)));
    }

    [Test]
    public async Task Bytes_that_are_not_utf8_inside_a_string_become_the_replacement_character()
    {
        var body = Encoding.UTF8.GetBytes("""{"Response":{"Result":{"TotalCount":1,"TaskList":[{"TaskId":"t1","TaskName":"aXb","Status":1}]},"RequestId":"r1"}}""");
        body[Array.IndexOf(body, (byte)'X')] = 0xFF;
        var handler = new FakeHandler((_, _) => new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
        var client = new CkafkaClient(new TencentCloudClient(new HttpClient(handler),
            new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = 1 }, new RecordingObserver(), TimeProvider.System));
        var path = DatahubTasksPath.Path;

        var items = await client.ListAsync(Target, path.Action, path.ListField, 100, path.Read, static i => i.Id, new ListProgress(), CancellationToken.None);

        Assert.That(items.Single().Name, Is.EqualTo("a\uFFFDb"));
    }

    [TestCase("""{"TotalCount":270,"TaskList":null}""", "TaskList is not a list")]
    [TestCase("""{"TotalCount":270}""", "TaskList is absent")]
    [TestCase("""{"TotalCount":"270","TaskList":{}}""", "TaskList is not a list")]
    [TestCase(null, "has no Result")]
    public void A_lost_list_is_a_failure_naming_the_page_and_request_id(string? result, string what)
    {
        var json = "{\"Response\":{" + (result is null ? "" : "\"Result\":" + result + ",") + "\"RequestId\":\"req-lost-1\"}}";
        var progress = new ListProgress();
        var e = Assert.ThrowsAsync<TencentCloudException>(() => List(json, progress));
        Assert.That(e!.Code, Is.EqualTo("InvalidResponse"));
        Assert.That(e!.Message, Does.Contain("DescribeDatahubTasks").And.Contain("page 1").And.Contain(what).And.Contain("RequestId req-lost-1"));
        Assert.That(e.IsRetryable, Is.False);
        Assert.That(progress.PagesDone, Is.EqualTo(0));
    }

    [TestCase("""{"TotalCount":0,"TaskList":null}""")]
    [TestCase("""{"TotalCount":0,"TaskList":[]}""")]
    [TestCase("""{"TotalCount":0}""")]
    public async Task Total_count_zero_with_an_empty_or_null_list_is_an_empty_account(string result)
    {
        var items = await List("{\"Response\":{\"Result\":" + result + ",\"RequestId\":\"r\"}}");
        Assert.That(items, Is.Empty);
    }

    [Test]
    public async Task Odd_field_types_are_defaulted_and_never_drop_the_item()
    {
        var items = await List("""{"Response":{"Result":{"TotalCount":1,"TaskList":[{"TaskId":"t1","TaskName":{"x":1},"Status":"1.5","TaskType":[1],"ErrorMessage":7,"SourceResource":"MYSQL"}]},"RequestId":"r"}}""");
        var item = items.Single();
        Assert.That((item.Name, item.Status, item.Details[0], item.Details[1], item.ErrorMessage), Is.EqualTo(("", (long?)null, "", "", "7")));
    }
}
