using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Collectors;

/// <summary>Account sections (exporter.md "Accounts and targets"): units of (path, account, region), the account
/// label, selection by query parameters and isolation between accounts, against a fake API per account host.</summary>
public class CollectionEngineAccountsTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private static readonly ScrapePath Tasks = DatahubTasksPath.Path;

    private static ExporterConfig Account(string name, params string[] regions) => new()
    {
        Account = name,
        Credentials = new Credentials($"AKID{name}0000", "not-a-real-key", null),
        Regions = regions,
        Endpoint = new Uri($"https://{name}.example/"),
        SourcePath = "test.conf",
    };

    private static ConfigHolder Config(params ExporterConfig[] accounts) => new(new ExporterConfig
    {
        Credentials = accounts[0].Credentials,
        Regions = [],
        SourcePath = "test.conf",
        AccountSections = accounts,
    }, TimeProvider.System);

    /// <summary>An engine whose fake API answers each account host with <paramref name="answer"/>(account, region).</summary>
    private static (CollectionEngine Engine, FakeHandler Handler) Rig(ConfigHolder config, Func<string, string, string> answer)
    {
        var handler = new FakeHandler((_, r, _) =>
        {
            var result = answer(r.Uri!.Host.Split('.')[0], r.Header("X-TC-Region")!);
            return Task.FromResult(result.StartsWith("ERROR ", StringComparison.Ordinal)
                ? FakeHandler.ApiError(result[6..])
                : FakeHandler.Ok("\"Result\":" + result + ",\"RequestId\":\"req-1\""));
        });
        var api = new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = 1 },
            new RecordingObserver(), TimeProvider.System);
        var engine = new CollectionEngine(new CkafkaClient(api), config, new ScrapeMetrics(),
            new EngineOptions { CacheTtl = TimeSpan.Zero, MaxTimeout = TimeSpan.FromSeconds(120) },
            [DatahubTasksPath.Path, ConnectResourcesPath.Path], NullLogger.Instance, TimeProvider.System);
        return (engine, handler);
    }

    private static string TaskList(string account, string region, int n) =>
        $"{{\"TotalCount\":{n},\"TaskList\":[" + string.Join(",", Enumerable.Range(0, n).Select(i =>
            $"{{\"TaskId\":\"task-{account}-{region}-{i}\",\"TaskName\":\"name {i}\",\"Status\":1}}")) + "]}";

    private static string Text(ScrapeAnswer answer) =>
        System.Text.Encoding.UTF8.GetString(answer.Body.Payload(ExpositionFormat.PrometheusText004, gzip: false).Span);

    [Test]
    public async Task Every_series_carries_its_account_first()
    {
        var (engine, _) = Rig(Config(Account("prod", "ap-guangzhou", "ap-shanghai"), Account("staging", "ap-guangzhou")),
            (account, region) => TaskList(account, region, 2));

        var text = Text(await engine.ScrapeAsync(Tasks, Budget, CancellationToken.None));

        var samples = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.That(samples, Has.All.Contains("{account=\""), "account is the first label of every series");
        Assert.That(samples.Count(l => l.StartsWith("datahub_task_status{", StringComparison.Ordinal)), Is.EqualTo(6));
        Assert.That(samples, Does.Contain("datahub_task_status{account=\"staging\",region=\"ap-guangzhou\",TaskId=\"task-staging-ap-guangzhou-1\",TaskName=\"name 1\"} 1"));
        Assert.That(samples, Does.Contain("datahub_exporter_collect_success{account=\"prod\",region=\"ap-shanghai\",collector=\"datahub_tasks\"} 1"));
        Assert.That(samples, Does.Contain("datahub_task_error_count{account=\"prod\",region=\"ap-guangzhou\"} 0"));
    }

    [Test]
    public async Task A_failing_account_leaves_the_other_complete_and_successful()
    {
        var (engine, _) = Rig(Config(Account("prod", "ap-guangzhou"), Account("staging", "ap-guangzhou")),
            (account, region) => account == "prod" ? "ERROR InternalError" : TaskList(account, region, 3));

        var answer = await engine.ScrapeAsync(Tasks, Budget, CancellationToken.None);
        var text = Text(answer);

        Assert.That(answer.AllSucceeded, Is.False);
        Assert.That(text, Does.Contain("datahub_exporter_collect_success{account=\"prod\",region=\"ap-guangzhou\",collector=\"datahub_tasks\"} 0"));
        Assert.That(text, Does.Contain("datahub_exporter_collect_success{account=\"staging\",region=\"ap-guangzhou\",collector=\"datahub_tasks\"} 1"));
        Assert.That(text.Split('\n').Count(l => l.StartsWith("datahub_task_status{account=\"staging\"", StringComparison.Ordinal)), Is.EqualTo(3));
        Assert.That((engine.ErrorCount(Tasks, "prod", "ap-guangzhou"), engine.ErrorCount(Tasks, "staging", "ap-guangzhou")), Is.EqualTo((1L, 0L)));
    }

    [Test]
    public async Task Selecting_an_account_and_a_region_calls_only_that_unit()
    {
        var (engine, handler) = Rig(Config(Account("prod", "ap-guangzhou", "ap-shanghai"), Account("staging", "ap-guangzhou")),
            (account, region) => TaskList(account, region, 1));

        var units = engine.Select("prod", "ap-shanghai", out var problem);
        var text = Text(await engine.ScrapeAsync(Tasks, units!, Budget, CancellationToken.None));

        Assert.That(problem, Is.Null);
        Assert.That(handler.Requests.Select(r => (r.Uri!.Host, r.Header("X-TC-Region"))), Is.EqualTo(new[] { ("prod.example", "ap-shanghai") }));
        Assert.That(text, Does.Contain("datahub_task_status{account=\"prod\",region=\"ap-shanghai\",TaskId=\"task-prod-ap-shanghai-0\""));
        Assert.That(text, Does.Not.Contain("staging"));
    }

    [TestCase("qa", null, "unknown account \"qa\": valid accounts are prod, staging")]
    [TestCase("staging", "ap-shanghai", "unknown region \"ap-shanghai\" for account staging: valid regions are ap-guangzhou")]
    [TestCase(null, "eu-frankfurt", "unknown region \"eu-frankfurt\": valid regions are ap-guangzhou, ap-shanghai")]
    [TestCase("bad\"name\n", null, "unknown account \"bad?name?\": valid accounts are prod, staging")]
    public void An_unknown_target_is_refused_naming_the_valid_values(string? account, string? region, string expected)
    {
        var (engine, handler) = Rig(Config(Account("prod", "ap-guangzhou", "ap-shanghai"), Account("staging", "ap-guangzhou")),
            (a, r) => TaskList(a, r, 1));

        var units = engine.Select(account, region, out var problem);

        Assert.That((units, problem), Is.EqualTo(((IReadOnlyList<Unit>?)null, expected)));
        Assert.That(handler.Count, Is.Zero);
    }

    [Test]
    public void Without_account_sections_an_account_parameter_is_refused()
    {
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDtest0000", "not-a-real-key", null),
            Regions = ["ap-guangzhou"],
            SourcePath = "test.conf",
        }, TimeProvider.System);
        var (engine, _) = Rig(config, (a, r) => TaskList(a, r, 1));

        Assert.That(engine.Select("prod", null, out var problem), Is.Null);
        Assert.That(problem, Is.EqualTo("unknown account: this exporter has no [account.NAME] sections, so it takes no account parameter"));
        Assert.That(engine.Select(null, "ap-guangzhou", out _)!.Select(u => (u.Account.Account, u.Region)), Is.EqualTo(new[] { ((string?)null, "ap-guangzhou") }));
    }
}
