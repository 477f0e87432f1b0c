using CkafkaSimulator;

namespace DatahubExporter.Tests.Cli;

/// <summary>
/// <c>--config.check</c> and <c>--once</c> in-process (<see cref="InProcessCli"/>) with two account sections
/// (exporter.md "Accounts and targets"): prod with its own key on one simulator, staging reached through STS
/// <c>AssumeRole</c> on another. The server with accounts is in <c>EndToEnd/AccountsTests</c>.
/// </summary>
public class AccountsCliTests
{
    private const string RoleArn = TwoAccounts.RoleArn;
    private const int ProdTasks = 30;
    private TempDirectory _temp = null!;
    private FreshSecrets _secrets = null!;
    private TwoAccounts _accounts = null!;
    private SimulatorServer _prod = null!;
    private SimulatorServer _staging = null!;
    private string _config = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _temp = new TempDirectory();
        _secrets = FreshSecrets.New();
        _accounts = await TwoAccounts.StartAsync(_temp, _secrets.SecretId, _secrets.SecretKey,
            (tasks, resources) => _secrets.SimulatorOptions(tasks: tasks, resources: resources), ProdTasks, stagingTasks: 12, TimeSpan.FromMinutes(10));
        (_prod, _staging, _config) = (_accounts.Prod, _accounts.Staging, _accounts.Config);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _accounts.DisposeAsync();
        _temp.Dispose();
    }

    [Test]
    public async Task Config_check_lists_every_account_and_names_each_whose_role_fails()
    {
        var env = _accounts.Environment;
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", _config, "--config.check"], env);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("account prod: credential_source=static role_arn=none regions=ap-guangzhou "));
        Assert.That(stdout, Does.Contain($"account staging: credential_source=assume_role base_source=static role_arn={RoleArn} regions=ap-guangzhou,ap-shanghai "));
        Assert.That(_prod.State.Requests.Count, Is.Zero, "--config.check calls no CKafka API");
        var all = stdout + stderr;

        File.WriteAllText(_config, File.ReadAllText(_config).Replace($"external_id = {TwoAccounts.ExternalId}", "external_id = wrong-ext", StringComparison.Ordinal));
        (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", _config, "--config.check"], env);
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr.Trim(), Does.StartWith("datahub_exporter: credentials: account staging: no credentials from assume_role: STS AssumeRole at ").And.Contain("InvalidParameter.ExternalIdError"));
        all += stdout + stderr;

        // --once collects the accounts that have keys, and says by its exit code that one failed.
        (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", _config, "--once"], env);
        Assert.That(code, Is.EqualTo(1), stderr);
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status" && s.Labels["account"] == "prod"), Is.EqualTo(ProdTasks));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success" && s.Labels["account"] == "staging" && s.Labels["region"] == "ap-guangzhou"
                                        && s.Labels["collector"] == "datahub_tasks").Value, Is.EqualTo(0));
        all += stdout + stderr;
        _secrets.AssertNoneIn(all, "--config.check and --once");
        EndToEndFixture.AssertNoStackTrace(all, "--config.check and --once");
    }
}
