using System.Text.Json;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>Paging stop rules (exporter.md "Collection semantics") against an in-memory fake API.</summary>
public class CkafkaClientPagingTests
{
    private static readonly ApiTarget Target = new("ap-guangzhou", new Uri("https://ckafka.ap-guangzhou.tencentcloudapi.com"), new Credentials("AKIDexample0001", "key", null));

    /// <summary>One request as the fake API saw it.</summary>
    private sealed record Page(string Action, int Limit, int Offset, string Body);

    /// <summary>A fake API: <paramref name="answer"/> gets the 0-based page number and the request and returns the Result JSON.</summary>
    private static (CkafkaClient Client, List<Page> Pages) Api(Func<int, Page, string> answer, TimeProvider? time = null)
    {
        var pages = new List<Page>();
        var handler = new FakeHandler((n, r) =>
        {
            using var doc = JsonDocument.Parse(r.Body);
            var page = new Page(r.Header("X-TC-Action")!, doc.RootElement.GetProperty("Limit").GetInt32(), doc.RootElement.GetProperty("Offset").GetInt32(), r.BodyText);
            lock (pages)
            {
                pages.Add(page);
            }
            return FakeHandler.Ok("\"Result\":" + answer(n, page) + ",\"RequestId\":\"r" + n + "\"");
        });
        var client = new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = 0 }, new RecordingObserver(),
            time ?? TimeProvider.System);
        return (new CkafkaClient(client), pages);
    }

    private static string Task(int id, string name = "") =>
        $"{{\"TaskId\":\"task-{id}\",\"TaskName\":\"{(name.Length == 0 ? "name-" + id : name)}\",\"Status\":1}}";

    /// <summary>A page of tasks with ids [from, to), TotalCount <paramref name="total"/> (null: omitted).</summary>
    private static string Tasks(long? total, int from, int to) =>
        (total is null ? "{" : $"{{\"TotalCount\":{total},") +
        "\"TaskList\":[" + string.Join(",", Enumerable.Range(from, Math.Max(0, to - from)).Select(i => Task(i))) + "]}";

    /// <summary>The page a consistent server returns for <paramref name="total"/> items.</summary>
    private static string Slice(int total, Page p) => Tasks(total, p.Offset, Math.Min(total, p.Offset + p.Limit));

    [TestCase(250, 0, "on its first page", TestName = "A_failed_first_page_says_so_rather_than_0_of_1_pages")]
    [TestCase(250, 1, "after 1 of 3 pages")]
    [TestCase(null, 2, "after 2 pages (page count unknown)", TestName = "Without_total_count_a_failure_says_the_page_count_is_unknown")]
    public void A_failed_sweep_says_how_far_it_got(int? total, int failFrom, string shown)
    {
        // From page failFrom on, the list is not a list: an InvalidResponse that is not retried.
        var (client, _) = Api((n, p) => n >= failFrom ? "{\"TotalCount\":250,\"TaskList\":{}}" : Tasks(total, p.Offset, p.Offset + p.Limit));
        var progress = new ListProgress();

        Assert.ThrowsAsync<TencentCloudException>(() => client.ListAsync(Target, "DescribeDatahubTasks", "TaskList", 100, CkafkaListing.ReadTask,
            static t => t.TaskId, progress, CancellationToken.None));

        Assert.That(progress.Shown, Is.EqualTo(shown));
    }

    [Test]
    public async Task Pages_are_requested_with_limit_100_and_growing_offsets()
    {
        var (client, pages) = Api((_, p) => Slice(250, p));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks, Has.Count.EqualTo(250));
        Assert.That(pages.Select(p => p.Body).Order(), Is.EqualTo(new[]
        {
            "{\"Limit\":100,\"Offset\":0}", "{\"Limit\":100,\"Offset\":100}", "{\"Limit\":100,\"Offset\":200}",
        }));
        Assert.That(pages.Select(p => p.Action), Is.All.EqualTo("DescribeDatahubTasks"));
        Assert.That(tasks.Select(t => t.TaskId), Is.EqualTo(Enumerable.Range(0, 250).Select(i => "task-" + i)));
    }

    [Test]
    public async Task Reaching_total_count_stops_without_asking_for_an_empty_page()
    {
        var (client, pages) = Api((_, p) => Slice(200, p));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks, Has.Count.EqualTo(200));
        Assert.That(pages, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Short_later_pages_give_what_they_have_within_the_page_budget()
    {
        var (client, pages) = Api((n, p) => n == 0 ? Tasks(500, 0, 100) : Tasks(500, 100, 150));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks, Has.Count.EqualTo(150));
        Assert.That(pages, Has.Count.EqualTo(5), "the five pages the first TotalCount promised, no more");
    }

    [Test]
    public async Task Empty_later_pages_add_nothing_and_the_sweep_ends_at_its_budget()
    {
        var (client, pages) = Api((n, p) => n == 0 ? Tasks(500, 0, 100) : Tasks(500, 0, 0));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks, Has.Count.EqualTo(100));
        Assert.That(pages, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task Missing_total_count_pages_until_a_short_page()
    {
        var (client, pages) = Api((_, p) => Tasks(null, p.Offset, Math.Min(230, p.Offset + p.Limit)));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks, Has.Count.EqualTo(230));
        Assert.That(pages, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Growing_total_count_ends_at_the_budget_of_the_first_page()
    {
        // Every page is full of new ids and claims one more page exists: without a budget this never ends.
        var (client, pages) = Api((n, p) => Tasks(101 + (n * 100), p.Offset, p.Offset + p.Limit));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        // First sweep: 2 pages (101 items), and page 2 says 201: the list changed, so it is swept once more,
        // planned from that sweep's first page (301: 4 pages); the count still moves, but there is no third sweep.
        Assert.That(pages, Has.Count.EqualTo(2 + 4));
        Assert.That(tasks, Has.Count.EqualTo(400));
    }

    [Test]
    public async Task Shrinking_total_count_is_swept_again_at_the_new_total()
    {
        var (client, pages) = Api((n, p) => Tasks(n == 0 ? 1000 : 150, p.Offset, Math.Min(150, p.Offset + p.Limit)));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(pages, Has.Count.EqualTo(10 + 2), "ten pages planned from 1000, then one sweep of two from 150");
        Assert.That(tasks, Has.Count.EqualTo(150));
    }

    [Test]
    public async Task The_time_a_sweep_took_comes_from_the_client_clock()
    {
        // Each page takes 5 s on the client's clock: the first sweep (10 pages, 50 s) leaves less than the 20 s
        // remaining, so the changed list is not swept again. Wall-clock time (milliseconds here) would allow it.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var (client, pages) = Api((n, p) =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return Tasks(n == 0 ? 1000 : 150, p.Offset, Math.Min(150, p.Offset + p.Limit));
        }, time);
        var progress = new ListProgress { Remaining = () => TimeSpan.FromSeconds(20) };
        await client.ListAsync(Target, "DescribeDatahubTasks", "TaskList", 100, CkafkaListing.ReadTask, static t => t.TaskId, progress,
            CancellationToken.None);

        Assert.That(pages, Has.Count.EqualTo(10));
    }

    [Test]
    public async Task A_changed_list_is_not_swept_again_when_the_deadline_leaves_no_time()
    {
        var (client, pages) = Api((n, p) => Tasks(n == 0 ? 1000 : 150, p.Offset, Math.Min(150, p.Offset + p.Limit)));
        var progress = new ListProgress { Remaining = () => TimeSpan.Zero };
        var tasks = await client.ListAsync(Target, "DescribeDatahubTasks", "TaskList", 100, CkafkaListing.ReadTask, static t => t.TaskId, progress,
            CancellationToken.None);

        Assert.That(pages, Has.Count.EqualTo(10), "one sweep of ten pages, not a second one");
        Assert.That(tasks, Has.Count.EqualTo(150));
    }

    [Test]
    public async Task An_api_that_caps_the_limit_is_paged_at_its_own_page_size()
    {
        // Asked for 1000, the API gives 100 a page: offsets must follow 100, or items 100..999 would be skipped.
        var (client, pages) = Api((_, p) => Tasks(250, p.Offset, Math.Min(250, p.Offset + Math.Min(100, p.Limit))));
        var tasks = await client.ListAsync(Target, "DescribeDatahubTasks", "TaskList", 1000, CkafkaListing.ReadTask, static t => t.TaskId, new ListProgress(),
            CancellationToken.None);

        Assert.That(tasks.Select(t => t.TaskId), Is.EqualTo(Enumerable.Range(0, 250).Select(i => "task-" + i)));
        Assert.That(pages.Select(p => (p.Limit, p.Offset)).Order(), Is.EqualTo(new[] { (100, 100), (100, 200), (1000, 0) }));
    }

    [Test]
    public async Task Pages_after_the_first_are_in_flight_together()
    {
        // Every later page waits until three of them are in the fake API at once: only concurrent paging gets
        // past this (sequential paging would time out the gate and fail the assertion).
        var (count, peak) = await GatedPagingAsync(1000, openAt: 3);

        Assert.That(count, Is.EqualTo(1000));
        Assert.That(peak, Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public async Task No_more_pages_than_the_cap_are_in_flight_at_once_without_a_rate_limit()
    {
        // 50 pages and no limiter: every later page waits until the cap is reached (or 10 s pass), so a larger or
        // missing cap would let all 49 in together.
        var (count, peak) = await GatedPagingAsync(5000, openAt: CkafkaClient.MaxConcurrentPages);

        Assert.That(count, Is.EqualTo(5000));
        Assert.That(peak, Is.EqualTo(CkafkaClient.MaxConcurrentPages));
    }

    /// <summary>Lists <paramref name="total"/> tasks with no rate limit; every page after the first is held in the
    /// fake API until <paramref name="openAt"/> of them are there at once (at most 10 s). Returns the tasks listed
    /// and the most pages seen in flight together.</summary>
    private static async Task<(int Count, int Peak)> GatedPagingAsync(int total, int openAt)
    {
        var inFlight = 0;
        var peak = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler(async (_, r, ct) =>
        {
            using var doc = JsonDocument.Parse(r.Body);
            var offset = doc.RootElement.GetProperty("Offset").GetInt32();
            if (offset > 0)
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref peak, now);
                if (now >= openAt)
                {
                    gate.TrySetResult();
                }

                try
                {
                    await gate.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                }
                catch (TimeoutException)
                {
                    // Fewer than openAt pages ever came together: let them go, and the peak assertion says so.
                }

                Interlocked.Decrement(ref inFlight);
            }

            return FakeHandler.Ok("\"Result\":" + Tasks(total, offset, offset + 100) + ",\"RequestId\":\"r\"");
        });
        var client = new CkafkaClient(new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = 0 },
            new RecordingObserver(), TimeProvider.System));

        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);
        return (tasks.Count, peak);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Test]
    public async Task Server_ignoring_offset_costs_the_page_budget_and_gives_each_item_once()
    {
        var (client, pages) = Api((_, _) => Tasks(300, 0, 100));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(pages, Has.Count.EqualTo(3));
        Assert.That(tasks, Has.Count.EqualTo(100));
    }

    [Test]
    public async Task Huge_total_count_is_bounded_by_the_hard_page_cap()
    {
        var (client, pages) = Api((_, p) => Tasks(1_000_000_000, p.Offset, p.Offset + p.Limit));
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(pages, Has.Count.EqualTo(CkafkaClient.MaxPages));
        Assert.That(tasks, Has.Count.EqualTo(CkafkaClient.MaxPages * 100));
    }

    [Test]
    public async Task Duplicates_across_pages_keep_the_first_occurrence()
    {
        var (client, pages) = Api((_, p) => p.Offset switch
        {
            0 => Tasks(250, 0, 100),
            100 => "{\"TotalCount\":250,\"TaskList\":[" + string.Join(",", Enumerable.Range(50, 100).Select(i => Task(i, "second-" + i))) + "]}",
            _ => Tasks(250, 150, 200),
        });
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(pages, Has.Count.EqualTo(3));
        Assert.That(tasks, Has.Count.EqualTo(200));
        Assert.That(tasks.Single(t => t.TaskId == "task-60").TaskName, Is.EqualTo("name-60"));
        Assert.That(tasks.Single(t => t.TaskId == "task-120").TaskName, Is.EqualTo("second-120"));
        Assert.That(tasks.Select(t => t.TaskId).Distinct().Count(), Is.EqualTo(200));
    }

    [Test]
    public async Task Duplicates_within_a_page_keep_the_first_occurrence()
    {
        var (client, _) = Api((_, _) => "{\"TotalCount\":3,\"TaskList\":[" + Task(1, "first") + "," + Task(1, "again") + "," + Task(2) + "]}");
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks.Select(t => (t.TaskId, t.TaskName)), Is.EqualTo(new[] { ("task-1", "first"), ("task-2", "name-2") }));
    }

    [Test]
    public async Task Items_without_an_id_are_dropped()
    {
        var (client, _) = Api((_, _) =>
            "{\"TotalCount\":6,\"TaskList\":[{\"TaskName\":\"no id\"},{\"TaskId\":\"\"},{\"TaskId\":null},{\"TaskId\":{}},42,null," + Task(7) + "]}");
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks.Select(t => t.TaskId), Is.EqualTo(new[] { "task-7" }));
    }

    [TestCase("{\"TotalCount\":0,\"TaskList\":null}")]
    [TestCase("{\"TotalCount\":0,\"TaskList\":[]}")]
    [TestCase("{\"TotalCount\":0}")]
    [TestCase("{\"TotalCount\":0,\"TaskList\":\"oops\"}")]
    [TestCase("{}")]
    public async Task An_empty_account_is_an_empty_result_after_one_call(string result)
    {
        var (client, pages) = Api((_, _) => result);
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks, Is.Empty);
        Assert.That(pages, Has.Count.EqualTo(1));
    }

    [TestCase("{\"TotalCount\":5,\"TaskList\":{\"TaskId\":\"x\"}}")]
    [TestCase("{\"TotalCount\":5,\"TaskList\":\"oops\"}")]
    [TestCase("{\"TotalCount\":5,\"TaskList\":[]}")]
    [TestCase("null")]
    [TestCase("[]")]
    [TestCase("\"text\"")]
    public void A_list_lost_or_of_the_wrong_shape_fails_after_one_call(string result)
    {
        var (client, pages) = Api((_, _) => result);
        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => client.DescribeDatahubTasksAsync(Target, CancellationToken.None))!.Code, Is.EqualTo("InvalidResponse"));
        Assert.That(pages, Has.Count.EqualTo(1));
    }

    [Test]
    public void An_empty_first_page_while_total_count_promises_items_is_a_lost_list_not_an_empty_account()
    {
        var (client, _) = Api((_, _) => "{\"TotalCount\":500,\"TaskList\":[]}");
        var error = Assert.ThrowsAsync<TencentCloudException>(() => client.DescribeDatahubTasksAsync(Target, CancellationToken.None));
        Assert.That(error!.Message, Does.Contain("page 1 lost its list: TotalCount 500 but TaskList is empty"));
    }

    [TestCase("\"250\"")]
    [TestCase("250.0")]
    public async Task Total_count_as_string_or_float_is_understood(string total)
    {
        var (client, pages) = Api((_, p) => $"{{\"TotalCount\":{total},\"TaskList\":[" +
            string.Join(",", Enumerable.Range(p.Offset, Math.Min(100, 250 - p.Offset)).Select(i => Task(i))) + "]}");
        var tasks = await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(tasks, Has.Count.EqualTo(250));
        Assert.That(pages, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Negative_total_count_does_not_loop()
    {
        var (client, pages) = Api((_, p) => Tasks(-1, p.Offset, p.Offset + p.Limit));
        await client.DescribeDatahubTasksAsync(Target, CancellationToken.None);

        Assert.That(pages, Has.Count.LessThanOrEqualTo(2));
    }

    [Test]
    public void Failure_on_a_later_page_fails_the_whole_list()
    {
        var handler = new FakeHandler((n, _) => n == 0
            ? FakeHandler.Ok("\"Result\":" + Tasks(250, 0, 100))
            : FakeHandler.ApiError("InvalidParameterValue", "bad offset"));
        var api = new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = 0 }, new RecordingObserver(), TimeProvider.System);

        var e = Assert.ThrowsAsync<TencentCloudException>(() => new CkafkaClient(api).DescribeDatahubTasksAsync(Target, CancellationToken.None));
        Assert.That(e!.IsApiError, Is.True);
        Assert.That(e!.Code, Is.EqualTo("InvalidParameterValue"));
        Assert.That(handler.Count, Is.InRange(2, 3));
    }

    [Test]
    public async Task Connect_resources_page_the_same_way()
    {
        static string Resource(int i) => $"{{\"ResourceId\":\"resource-{i}\",\"ResourceName\":\"n{i}\",\"Type\":\"MYSQL\",\"Status\":1}}";
        var (client, pages) = Api((_, p) => "{\"TotalCount\":130,\"ConnectResourceList\":[" +
            string.Join(",", Enumerable.Range(p.Offset, Math.Min(100, 130 - p.Offset)).Select(Resource)) + "]}");
        var resources = await client.DescribeConnectResourcesAsync(Target, CancellationToken.None);

        Assert.That(resources, Has.Count.EqualTo(130));
        Assert.That(pages.Select(p => p.Action), Is.All.EqualTo("DescribeConnectResources"));
        Assert.That(pages.Select(p => p.Body), Is.EqualTo(new[] { "{\"Limit\":100,\"Offset\":0}", "{\"Limit\":100,\"Offset\":100}" }));
        Assert.That(resources[129], Is.EqualTo(new ConnectResource("resource-129", "n129", 1, "MYSQL")));
    }

    [Test]
    public async Task Connect_resources_without_an_id_are_dropped_and_duplicates_merged()
    {
        var (client, _) = Api((_, _) =>
            "{\"TotalCount\":4,\"ConnectResourceList\":[{\"ResourceName\":\"orphan\"},{\"ResourceId\":\"r1\",\"ResourceName\":\"a\"},{\"ResourceId\":\"r1\",\"ResourceName\":\"b\"},{\"ResourceId\":\"r2\"}]}");
        var resources = await client.DescribeConnectResourcesAsync(Target, CancellationToken.None);

        Assert.That(resources, Is.EqualTo(new[] { new ConnectResource("r1", "a", null, ""), new ConnectResource("r2", "", null, "") }));
    }

    [TestCase(0, 100, "{\"Limit\":100,\"Offset\":0}")]
    [TestCase(12300, 100, "{\"Limit\":100,\"Offset\":12300}")]
    public void Page_request_is_compact_json(long offset, int limit, string expected)
    {
        Assert.That(System.Text.Encoding.UTF8.GetString(CkafkaClient.PageRequest(limit, offset)), Is.EqualTo(expected));
    }
}
