using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// The real binary with two account sections (exporter.md "Accounts and targets", issue 17 "Done when"): prod with
/// its own key on one simulator, staging reached through STS <c>AssumeRole</c> with 12-second keys on another (which
/// refuses the keys from their expiry on). <c>--config.check</c> and <c>--once</c> with accounts are in-process, in
/// <c>Cli/AccountsCliTests</c>.
/// </summary>
public class AccountsTests : EndToEndFixture
{
    private const string RoleArn = TwoAccounts.RoleArn;
    private const int ProdTasks = 30;
    private const int StagingTasks = 12;
    private TwoAccounts _accounts = null!;
    private SimulatorServer _prod = null!;
    private SimulatorServer _staging = null!;
    private TempDirectory _temp = null!;
    private string _config = null!;
    private HttpClient _http = null!;
    private ExporterProcess? _exporter;

    [SetUp]
    public async Task StartAsync()
    {
        _temp = new TempDirectory("datahub-e2e-");
        _accounts = await TwoAccounts.StartAsync(_temp, SecretId, SecretKey, (tasks, resources) => SimulatorOptions(tasks, resources),
            ProdTasks, StagingTasks, TimeSpan.FromSeconds(12));
        (_prod, _staging, _config) = (_accounts.Prod, _accounts.Staging, _accounts.Config);

        _http = Http();
        _exporter = await ExporterProcess.StartServerAsync(["--conf", _config, "--web.listen-address=127.0.0.1:0"],
            _accounts.Environment);
    }

    [TearDown]
    public async Task StopAsync()
    {
        var output = _exporter is null ? "" : _exporter.Stdout + _exporter.Stderr;
        if (_exporter is not null)
        {
            await _exporter.DisposeAsync();
        }

        _http.Dispose();
        await _accounts.DisposeAsync();
        _temp.Dispose();
        AssertNoSecrets(output, "exporter output");
        AssertNoStackTrace(output, "exporter output");
    }

    private async Task<IReadOnlyList<ExpositionParser.ParsedSample>> ScrapeAsync(string query = "") =>
        ExpositionParser.Parse(await GetAsync(_http, _exporter!.BaseAddress, TasksPath + query, scrapeTimeout: 15));

    private static int Tasks(IReadOnlyList<ExpositionParser.ParsedSample> samples, string account) =>
        samples.Count(s => s.Name == "datahub_task_status" && s.Labels["account"] == account);

    private static double Success(IReadOnlyList<ExpositionParser.ParsedSample> samples, string account, string region) =>
        samples.Single(s => s.Name == "datahub_exporter_collect_success" && s.Labels["account"] == account && s.Labels["region"] == region
                            && s.Labels["collector"] == "datahub_tasks").Value;

    [Test]
    public void Start_up_logs_one_line_per_account_without_a_secret()
    {
        // Logged before the listening line, which StartServerAsync waited for: no polling needed.
        var lines = _exporter!.Stderr.Split('\n').Where(l => l.Contains("msg=account ", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(2), _exporter.Stderr);
            Assert.That(lines, Has.One.Contains("name=prod credential_source=static base_source=none role_arn=none regions=ap-guangzhou "));
            Assert.That(lines, Has.One.Contains($"name=staging credential_source=assume_role base_source=static role_arn={RoleArn} regions=ap-guangzhou,ap-shanghai "));
            Assert.That(lines, Has.None.Contains(SecretKey));
            Assert.That(_exporter.Stderr, Does.Contain("msg=listening "));
        });
    }

    [Test]
    public async Task Both_accounts_are_exported_with_their_account_label()
    {
        var samples = await ScrapeAsync();

        Assert.That(Tasks(samples, "prod"), Is.EqualTo(ProdTasks));
        Assert.That(Tasks(samples, "staging"), Is.EqualTo(2 * StagingTasks), "both of staging's regions, from the role's data");
        Assert.That(samples.Where(s => s.Name.StartsWith("datahub_", StringComparison.Ordinal) && s.Name != "datahub_exporter_cache_age_seconds")
            .Select(s => s.Labels.Keys.First()), Has.All.EqualTo("account"));
        Assert.That(_staging.State.Requests.Count(r => r.Action == "AssumeRole" && r.SecretId == SecretId && r.ErrorCode is null), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task The_account_parameter_selects_one_and_an_unknown_one_is_a_400_without_an_API_call()
    {
        var staging = await ScrapeAsync("?account=staging&region=ap-shanghai");
        Assert.That(staging.Where(s => s.Name == "datahub_task_status").Select(s => (s.Labels["account"], s.Labels["region"])).Distinct(),
            Is.EqualTo(new[] { ("staging", "ap-shanghai") }));
        Assert.That(Tasks(staging, "staging"), Is.EqualTo(StagingTasks));

        var before = (_prod.State.Requests.Count, _staging.State.Requests.Count);
        foreach (var (query, expected) in new[]
                 {
                     ("?account=qa", "unknown account \"qa\": valid accounts are prod, staging\n"),
                     ("?account=prod&region=ap-shanghai", "unknown region \"ap-shanghai\" for account prod: valid regions are ap-guangzhou\n"),
                     ("?account=prod&account=staging", "the account parameter is given 2 times: give it at most once\n"),
                 })
        {
            using var response = await _http.GetAsync(new Uri(_exporter!.BaseAddress, TasksPath + query));
            Assert.That(((int)response.StatusCode, await response.Content.ReadAsStringAsync()), Is.EqualTo((400, expected)), query);
        }

        Assert.That((_prod.State.Requests.Count, _staging.State.Requests.Count), Is.EqualTo(before), "a refused target calls no API");
    }

    [Test]
    public async Task The_first_accounts_API_failing_leaves_the_second_complete_and_successful()
    {
        _prod.State.SetFault(Fault.Error("InternalError"));

        var samples = await ScrapeAsync();

        Assert.That(Success(samples, "prod", "ap-guangzhou"), Is.EqualTo(0));
        Assert.That((Success(samples, "staging", "ap-guangzhou"), Success(samples, "staging", "ap-shanghai")), Is.EqualTo((1.0, 1.0)));
        Assert.That(Tasks(samples, "staging"), Is.EqualTo(2 * StagingTasks));
        Assert.That(samples.Single(s => s.Name == "datahub_task_error_count" && s.Labels["account"] == "staging" && s.Labels["region"] == "ap-guangzhou").Value,
            Is.Zero);
    }

    [Test]
    public async Task Scrapes_keep_succeeding_across_three_key_rotations()
    {
        // A scrape a second, every answer checked, until the role's keys have been rotated three times (12-second keys
        // refreshed after two thirds of their life: about 24 s); the simulator refuses each from its expiry on.
        // Bounded in time and, through the interval, in count.
        var scrapes = 0;
        await Eventually.HoldsAsync(async () =>
        {
            var samples = await ScrapeAsync();
            scrapes++;
            Assert.That((Tasks(samples, "prod"), Tasks(samples, "staging")), Is.EqualTo((ProdTasks, 2 * StagingTasks)), $"scrape {scrapes}");
            Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Has.All.EqualTo(1), $"scrape {scrapes}");
            return _staging.State.Requests.Count(r => r.Action == "AssumeRole" && r.ErrorCode is null) >= 4;
        }, "the role's keys have been rotated three times", TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1));

        Assert.That(scrapes, Is.GreaterThanOrEqualTo(10), "several scrapes in each key's life");
    }
}
