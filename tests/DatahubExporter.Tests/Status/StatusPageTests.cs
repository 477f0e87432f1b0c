using System.Text.RegularExpressions;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Status;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.Status;

public sealed class StatusPageTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 30, 0, TimeSpan.Zero);
    private const string Hostile = "<script>document.title='pwned'</script>\"'&";

    private static StatusPageData Data(IReadOnlyList<UnitStatus> units, DateTimeOffset? expiry = null) => new(
        Now, ExporterServices.AllPaths, ["ap-guangzhou", "ap-shanghai"], units, "oidc", "role=arn:qcs::cam::uin/1:roleName/x", true, expiry, 20,
        [new RateLimit(null, "DescribeDatahubTasks", "ckafka.tencentcloudapi.com", 10)], [("DescribeConnectResources", 3), ("DescribeDatahubTasks", 1200)]);

    private static UnitStatus Failing(string region, params NotRunningItem[] items) => new(
        new UnitKey("datahub_tasks", null, region), DatahubTasksPath.Path,
        new CollectionSummary(Now.AddSeconds(-12), true, 0.412, 3, null, 250, items.Length), Now.AddSeconds(-12), items.Length, items);

    [Test]
    public void Every_value_from_the_api_is_escaped()
    {
        var page = StatusPage.Render(Data([
            Failing("ap-guangzhou", new NotRunningItem("task-<1>", Hostile, -1, "create failed", Hostile, Now.AddMinutes(-5))),
            new UnitStatus(new UnitKey("connect_resources", null, "ap-shanghai"), ConnectResourcesPath.Path,
                new CollectionSummary(Now, false, 2, 0, "code InternalError: " + Hostile, 0, 0), null, 0, []),
        ]));

        Assert.That(page, Does.Not.Contain("<script"));
        Assert.That(page, Does.Contain("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&quot;&#39;&amp;"));
        Assert.That(page, Does.Contain("<code>task-&lt;1&gt;</code>"));
        Assert.That(Regex.Matches(page, "&lt;script&gt;").Count, Is.EqualTo(3), "name, message, collection error");
    }

    [Test]
    public void The_policy_forbids_scripts_and_allows_only_the_pages_own_style()
    {
        var page = StatusPage.Render(Data([]));
        var style = Regex.Match(page, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(style)));

        Assert.That(StatusPage.ContentSecurityPolicy, Does.StartWith("default-src 'none'; style-src 'sha256-" + hash + "'"));
        Assert.That(StatusPage.ContentSecurityPolicy, Does.Not.Contain("script-src").And.Not.Contain("unsafe"));
        Assert.That(page, Does.Not.Contain(" style=\""), "an inline style attribute would be blocked by the policy");
        Assert.That(page, Does.Not.Contain("src=").And.Not.Contain("http://").And.Not.Contain("https://"), "no outside asset");
    }

    [Test]
    public void Units_without_a_collection_yet_are_listed_as_such()
    {
        var page = StatusPage.Render(Data([Failing("ap-guangzhou")]));

        // Every path in both regions, but the one unit that has a collection.
        var uncollected = ExporterServices.AllPaths.Count * 2 - 1;
        Assert.That(Regex.Matches(page, "not collected since start").Count, Is.EqualTo(uncollected));
        Assert.That(page, Does.Contain($"0 of 1 last collections failed · 0 tasks and resources not running · {uncollected} not collected yet"));
    }

    [Test]
    public void A_failed_collection_shows_its_error_and_the_summary_turns_red()
    {
        var page = StatusPage.Render(Data([
            new UnitStatus(new UnitKey("datahub_tasks", null, "ap-guangzhou"), DatahubTasksPath.Path,
                new CollectionSummary(Now.AddSeconds(-30), false, 1.5, 1, "DescribeDatahubTasks in ap-guangzhou failed after 1 of 3 pages", 0, 0), null, 0, []),
        ]));

        Assert.That(page, Does.Contain("<p class=\"summary bad\" id=\"summary\">1 of 1 last collections failed"));
        Assert.That(page, Does.Contain("<td data-label=\"result\" class=\"fail\">failed</td><td data-label=\"duration\">1.500 s</td><td data-label=\"pages\">1</td>"));
        Assert.That(page, Does.Contain("failed after 1 of 3 pages"));
        Assert.That(page, Does.Contain("2026-12-03 09:29:30 UTC (30 s ago)"));
    }

    [Test]
    public void Item_rows_are_bounded_on_the_page_and_the_rest_counted()
    {
        NotRunningItem Item(int i) => new($"task-{i}", "t", 6, "paused", "", Now.AddMinutes(-1));
        var units = new[] { "ap-guangzhou", "ap-shanghai", "ap-beijing" }
            .Select(r => Failing(r, [.. Enumerable.Range(0, StatusBoard.MaxKeptPerUnit).Select(Item)]) with { NotRunningCount = 1000 })
            .ToList();

        var page = StatusPage.Render(Data(units) with { Regions = ["ap-guangzhou", "ap-shanghai", "ap-beijing"] });

        Assert.That(Regex.Matches(page, "<td data-label=\"status\"").Count, Is.EqualTo(StatusPage.MaxItemRows));
        Assert.That(page, Does.Contain($"{3000 - StatusPage.MaxItemRows} more not shown"));
    }

    [Test]
    public void Credentials_show_source_and_expiry_and_never_more_than_the_provider_tells()
    {
        var page = StatusPage.Render(Data([], Now.AddMinutes(42)));

        Assert.That(page, Does.Contain("<dt>source</dt><dd>oidc</dd>"));
        Assert.That(page, Does.Contain("<dt>expiry</dt><dd>2026-12-03 10:12:00 UTC (in 42 min)</dd>"));
        Assert.That(StatusPage.Render(Data([])), Does.Contain("<dd>does not expire</dd>"));
    }

    [Test]
    public void With_account_sections_each_account_has_its_rows_and_its_own_credentials()
    {
        var prodUnit = new UnitStatus(new UnitKey("datahub_tasks", "prod", "ap-shanghai"), DatahubTasksPath.Path,
            new CollectionSummary(Now.AddSeconds(-5), false, 1, 0, "role refused", 0, 0), null, 0, []);
        var stagingUnit = Failing("ap-guangzhou", new NotRunningItem("task-s", "etl", 6, "paused", "", Now.AddMinutes(-3))) with
        {
            Key = new UnitKey("datahub_tasks", "staging", "ap-guangzhou"),
        };
        var page = StatusPage.Render(Data([prodUnit, stagingUnit]) with
        {
            Accounts =
            [
                new AccountStatus("prod", ["ap-shanghai"], "assume_role", "role_arn=qcs::cam::uin/100000000001:roleName/Reader", false, null),
                new AccountStatus("staging", ["ap-guangzhou"], "static", "keys=file", true, null),
            ],
        });

        Assert.That(page, Does.Contain("<td data-label=\"region\">prod / ap-shanghai</td><td data-label=\"when\">2026-12-03 09:29:55 UTC (5 s ago)</td>"));
        Assert.That(page, Does.Contain("<td data-label=\"region\">staging / ap-guangzhou</td><td data-label=\"when\">2026-12-03 09:29:48 UTC (12 s ago)</td>"));
        Assert.That(page, Does.Not.Contain("prod / ap-guangzhou").And.Not.Contain("staging / ap-shanghai").And.Not.Contain("\">ap-guangzhou</td>"),
            "only each account's own regions are rows, and each row names its account");
        Assert.That(page, Does.Contain("1 of 2 last collections failed · 1 tasks and resources not running · 4 not collected yet"));
        Assert.That(page, Does.Contain("<h3>account prod</h3>\n<dl id=\"credentials-prod\">\n<dt>source</dt><dd>assume_role</dd>"));
        Assert.That(page, Does.Contain("<dl id=\"credentials-prod\">").And.Contain("no credentials yet"));
        Assert.That(page, Does.Contain("<h3>account staging</h3>\n<dl id=\"credentials-staging\">\n<dt>source</dt><dd>static</dd>"));
        Assert.That(page, Does.Contain("<td data-label=\"region\">staging / ap-guangzhou</td><td data-label=\"TaskId\"><code>task-s</code></td>"));
    }

    [Test]
    public void A_lowered_rate_is_shown_next_to_the_configured_one()
    {
        var page = StatusPage.Render(Data([]));

        Assert.That(page, Does.Contain("Configured: 20 requests/s"));
        Assert.That(page, Does.Contain("Requests in the last minute: DescribeConnectResources 3, DescribeDatahubTasks 1200 (HTTP attempts, retries included)."));
        Assert.That(page, Does.Contain("<td data-label=\"action\">DescribeDatahubTasks</td><td data-label=\"API host\">ckafka.tencentcloudapi.com</td><td data-label=\"current limit\" class=\"fail\">10/s</td>"));
    }

    [TestCase(5, false, "5 s ago")]
    [TestCase(300, false, "5 min ago")]
    [TestCase(3 * 3600, false, "3 h ago")]
    [TestCase(3 * 86400, false, "3 d ago")]
    [TestCase(-1, false, "just now")]
    [TestCase(2520, true, "in 42 min")]
    [TestCase(-1, true, "expired")]
    public void Spans_read_as_people_say_them(int seconds, bool future, string expected)
    {
        Assert.That(StatusPage.Span(TimeSpan.FromSeconds(seconds), future), Is.EqualTo(expected));
    }

    [Test]
    public async Task Each_accounts_rate_rows_show_the_account_and_the_host_in_cells_of_their_own()
    {
        ExporterConfig Account(string name) => new()
        {
            Account = name,
            Credentials = new Credentials($"AKID{name}status01", "status-page-key", null),
            Regions = ["ap-guangzhou"],
            Endpoint = new Uri($"https://{name}.example/"),
            SourcePath = "status.conf",
        };
        ExporterConfig[] accounts = [Account("prod"), Account("staging")];
        var config = new ConfigHolder(new ExporterConfig { Credentials = accounts[0].Credentials, Regions = [], SourcePath = "status.conf", AccountSections = accounts }, TimeProvider.System);
        var handler = new FakeHandler((_, _) => FakeHandler.Ok("\"Result\":{\"TotalCount\":0,\"TaskList\":[]},\"RequestId\":\"r\""));
        using var services = new ExporterServices(new ExporterOptions { ApiMaxAttempts = 1, ApiRateLimit = 20 }, config,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System, new HttpClient(handler));
        await services.Engine.ScrapeAsync(DatahubTasksPath.Path, TimeSpan.FromSeconds(10), CancellationToken.None);

        var page = StatusPage.Render(StatusPageData.From(services));
        var rates = Regex.Match(page, "<table id=\"rates\">.*?</table>", RegexOptions.Singleline).Value;

        Assert.That(rates, Does.Contain("<th>account</th><th>action</th><th>API host</th>"));
        foreach (var account in new[] { "prod", "staging" })
        {
            Assert.That(rates, Does.Contain($"<tr><td data-label=\"account\">{account}</td><td data-label=\"action\">DescribeDatahubTasks</td>" +
                $"<td data-label=\"API host\">{account}.example</td>"));
        }

        Assert.That(rates, Does.Not.Contain("prod/").And.Not.Contain("staging/"), "no limiter key account/host on the page");
    }

    [Test]
    public void Without_accounts_the_rate_table_has_no_account_column()
    {
        var page = StatusPage.Render(Data([]));

        Assert.That(page, Does.Contain("<thead><tr><th>action</th><th>API host</th><th>current limit</th></tr></thead>"));
        Assert.That(page, Does.Contain("<tr><td data-label=\"action\">DescribeDatahubTasks</td><td data-label=\"API host\">ckafka.tencentcloudapi.com</td>"));
    }
}
