using System.Text.Json;
using System.Text.RegularExpressions;
using CkafkaSimulator;

namespace DatahubExporter.Tests.Cli;

/// <summary>
/// The command line through <see cref="Program.RunAsync"/> in-process (<see cref="InProcessCli"/>): flag spellings,
/// one-line errors, exit codes 0/1/2, <c>--config.check</c> and <c>--once</c> against the simulator on loopback
/// (exporter.md "Command line"). The real binary keeps a smoke test per command in <c>EndToEnd/CliTests</c>.
/// </summary>
public class ProgramTests
{
    // The --once runs against hundreds of tasks take half the time without the API rate limit, whose pacing its own
    // tests cover (TencentCloud/RequestRateLimiterTests, EndToEnd/SharedKeyRateLimitTests); nothing here depends on it.
    private const string Unpaced = "--api.rate-limit=0";

    private static readonly string[] Flags = ["--web.listen-address", "--conf", "--web.config.file", "--log.level", "--log.format", "--once", "--config.check", "--demo"];

    [Test]
    public async Task Help_exits_0_and_lists_the_flags()
    {
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--help"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        foreach (var flag in Flags)
        {
            Assert.That(stdout, Does.Contain(flag));
        }

        Assert.That(stderr, Is.Empty);
    }

    [Test]
    public async Task Version_exits_0_and_prints_a_version()
    {
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--version"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout.Trim(), Does.Match(@"^\d+\.\d+\.\d+"));
    }

    [TestCase("--bogus")]
    [TestCase("-x")]
    [TestCase("--log.level=loud")]
    [TestCase("--log.format=xml")]
    [TestCase("--cache.ttl=-1")]
    [TestCase("--api.max-attempts=0")]
    [TestCase("--conf")]
    public async Task Bad_usage_exits_2_with_one_line(string arg)
    {
        var (code, stdout, stderr) = await InProcessCli.RunAsync([arg]);
        Assert.That(code, Is.EqualTo(2), stderr);
        EndToEndFixture.AssertOneLine(stderr, arg);
        Assert.That(stdout, Is.Empty);
    }

    // Issue 8 row 10: every flag error names the flag and says in words what it expects.
    [TestCase("--cache.ttl=abc", "invalid --cache.ttl \"abc\": expected a number of seconds such as 30 (0: off) (see --help)")]
    [TestCase("--scrape.default-timeout=ten", "invalid --scrape.default-timeout \"ten\": expected a number of seconds above 0 such as 10 or 2.5 (see --help)")]
    [TestCase("--api.max-attempts=x", "invalid --api.max-attempts \"x\": expected a whole number from 1 to 20 (see --help)")]
    [TestCase("--api.rate-limit=fast", "invalid --api.rate-limit \"fast\": expected a number of requests per second such as 20 (0: unlimited) (see --help)")]
    [TestCase("--web.listen-address=[::1]", "--web.listen-address: invalid listen address \"[::1]\": missing port (use [::1]:PORT, e.g. [::1]:48080)")]
    [TestCase("--web.listen-adress=:9", "unknown flag --web.listen-adress; did you mean --web.listen-address? (see --help)")]
    [TestCase("-web.listen-adress=:9", "unknown flag -web.listen-adress; did you mean --web.listen-address? (see --help)")]
    [TestCase("--cach.ttl=3", "unknown flag --cach.ttl; did you mean --cache.ttl? (see --help)")]
    [TestCase("--config-check", "unknown flag --config-check; did you mean --config.check? (see --help)")]
    [TestCase("--bogus-flag-nobody-has", "unknown flag --bogus-flag-nobody-has (see --help)")]
    [TestCase("--once=maybe", "--once takes no value other than true or false, not \"maybe\" (see --help)")]
    [TestCase("-once=maybe", "--once takes no value other than true or false, not \"maybe\" (see --help)")]
    [TestCase("stray", "unexpected argument \"stray\": flags are given as --name=value or --name value (see --help)")]
    public async Task Flag_errors_name_the_flag_and_the_expected_form(string arg, string message)
    {
        var (code, stdout, stderr) = await InProcessCli.RunAsync([arg, "--config.check"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, arg), Is.EqualTo("datahub_exporter: " + message));
        Assert.That(stderr, Does.Not.Contain("System."), "no .NET type names");
        Assert.That(stdout, Is.Empty);
    }

    [TestCase("--conf={0}")]
    [TestCase("--conf {0}")]
    [TestCase("-conf={0}")]
    [TestCase("-conf {0}")]
    public async Task Every_conf_spelling_is_read(string spelling)
    {
        using var temp = new TempDirectory();
        var conf = FreshSecrets.New().WriteConfig(temp.Path, new Uri("http://127.0.0.1:9/"));
        var (code, stdout, stderr) = await InProcessCli.RunAsync([.. Split(spelling, conf), "--config.check"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain($"file={conf} "));
    }

    [TestCase("nope")]
    [TestCase("127.0.0.1")]
    [TestCase("127.0.0.1:99999")]
    [TestCase("127.0.0.1:http")]
    [TestCase("::1:80")]
    [TestCase("[zz]:80")]
    [TestCase("[::1:80")]
    [TestCase("bad host:80")]
    public async Task Bad_listen_address_exits_2_with_one_line_naming_it(string address)
    {
        var (code, _, stderr) = await InProcessCli.RunAsync(["--demo", "--web.listen-address", address]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, address), Does.Contain($"\"{address}\""));
    }

    [Test]
    public async Task Config_check_of_a_good_file_exits_0_masks_the_id_and_calls_no_api()
    {
        var secrets = FreshSecrets.New();
        using var temp = new TempDirectory();
        await using var simulator = await SimulatorServer.StartAsync(secrets.SimulatorOptions());
        var conf = secrets.WriteConfig(temp.Path, simulator.BaseAddress, withToken: true);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check", "--log.level=debug"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.StartWith("configuration OK: "));
        Assert.That(stdout, Does.Contain("regions=ap-guangzhou,ap-shanghai"));
        Assert.That(stdout, Does.Contain($"secret_id={secrets.SecretId[..4]}…{secrets.SecretId[^4..]}"));
        secrets.AssertNoneIn(stdout + stderr, "--config.check");
        Assert.That(simulator.State.RequestCount(), Is.EqualTo(0), "--config.check must not call the API");
    }

    [Test]
    public async Task Config_check_warns_of_a_misspelt_region_with_a_guess_and_shows_the_filters()
    {
        using var temp = new TempDirectory();
        var conf = FreshSecrets.New().WriteConfig(temp.Path, new Uri("http://127.0.0.1:9"), regions: "ap-guangzou, ap-shanghai, xx-newregion-1");
        await File.AppendAllTextAsync(conf, "task_name_include = prod-.*\nresource_name_exclude = tmp-.*\n");
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check"]);

        // Accepted (a region newer than the list is real), but said twice over: a guess for the typo, a plain warning otherwise.
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.StartWith("configuration OK: ").And.Contain("regions=ap-guangzou,ap-shanghai,xx-newregion-1"));
        var warnings = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(warnings, Has.Length.EqualTo(2), stderr);
        Assert.That(warnings[0], Does.Contain("level=warn").And.Contain("region \\\"ap-guangzou\\\" is not a known Tencent Cloud region; did you mean ap-guangzhou?"));
        Assert.That(warnings[1], Does.Contain("region \\\"xx-newregion-1\\\" is not a known Tencent Cloud region (used anyway"));
        Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..], Is.EqualTo(new[]
        {
            "  task filter: include=^(?:prod-.*)$ exclude=none",
            "  resource filter: include=all exclude=^(?:tmp-.*)$",
        }));
    }

    [Test]
    public async Task Config_check_of_a_bad_file_exits_2_with_one_line_naming_file_and_key()
    {
        var secrets = FreshSecrets.New();
        using var temp = new TempDirectory();
        var conf = temp.PathOf("bad.conf");
        await File.WriteAllTextAsync(conf, $"[common]\nsecret_id = {secrets.SecretId}\nsecret_key = {secrets.SecretKey}\nregion = ap-guangzhou\nregoin = ap-shanghai\n");
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        var line = EndToEndFixture.AssertOneLine(stderr, "bad config");
        Assert.That(line, Does.Contain(conf));
        Assert.That(line, Does.Contain("\"regoin\""));
        Assert.That(stdout, Is.Empty);
        secrets.AssertNoneIn(stderr, "bad config error");
    }

    [Test]
    public async Task Demo_first_screen_reads_like_a_real_account()
    {
        // A new operator's first look: the hostile names (a 2,000-character one, quotes, newlines) belong to the tests.
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--demo", "--once", Unpaced]);
        Assert.That(code, Is.EqualTo(0), stderr);

        var firstScreen = stdout.Split('\n').Take(40).ToList();
        var names = firstScreen.Select(l => Regex.Match(l, "(?:TaskName|ResourceName)=\"([^\"]*)\"")).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.That(names, Has.Count.GreaterThanOrEqualTo(10), string.Join('\n', firstScreen));
        Assert.That(names, Has.All.Match("^[a-z][a-z0-9-]{2,47}$"));
        Assert.That(firstScreen.Where(l => !l.StartsWith('#')), Has.All.Length.LessThan(200));
        // Demo_once_exits_0 of the process suite: every path has samples.
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.GreaterThan(0));
        Assert.That(samples.Count(s => s.Name == "connect_resource_status"), Is.GreaterThan(0));
    }

    [Test]
    public async Task Once_against_the_simulator_exits_0_and_prints_every_path()
    {
        var secrets = FreshSecrets.New();
        using var temp = new TempDirectory();
        await using var simulator = await SimulatorServer.StartAsync(secrets.SimulatorOptions(token: secrets.Token));
        var conf = secrets.WriteConfig(temp.Path, simulator.BaseAddress, withToken: true);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--once", Unpaced]);
        Assert.That(code, Is.EqualTo(0), stderr);
        OnceOutput.AssertEveryPathOfTwoRegions(stdout);
        secrets.AssertNoneIn(stdout + stderr, "--once");
    }

    [Test]
    public async Task Once_with_a_failing_region_exits_1_and_still_prints_everything_else()
    {
        var secrets = FreshSecrets.New();
        using var temp = new TempDirectory();
        await using var simulator = await SimulatorServer.StartAsync(secrets.SimulatorOptions());
        simulator.State.SetFault(Fault.Error("ResourceUnavailable", "injected"), "DescribeConnectResources", "ap-shanghai");
        var conf = secrets.WriteConfig(temp.Path, simulator.BaseAddress);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--once", Unpaced]);
        Assert.That(code, Is.EqualTo(1), stderr);
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(2 * 250));
        Assert.That(samples.Count(s => s.Name == "connect_resource_status" && s["region"] == "ap-guangzhou"), Is.EqualTo(120));
        Assert.That(samples.Count(s => s.Name == "connect_resource_status" && s["region"] == "ap-shanghai"), Is.EqualTo(0));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success" && s["collector"] == "connect_resources" && s["region"] == "ap-shanghai").Value,
            Is.EqualTo(0));
        Assert.That(samples.Single(s => s.Name == "connect_resource_error_count" && s["region"] == "ap-shanghai").Value, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("collection failed"));
        EndToEndFixture.AssertNoStackTrace(stderr, "--once failure");
        secrets.AssertNoneIn(stdout + stderr, "--once failure");
    }

    /// <summary>Issue 8 row 11: <c>--once</c> collects every path at the same time, so a hanging API costs one
    /// timeout, not one per path.</summary>
    [Test]
    public async Task Once_collects_every_path_concurrently_against_a_hanging_api()
    {
        var secrets = FreshSecrets.New();
        using var temp = new TempDirectory();
        await using var simulator = await SimulatorServer.StartAsync(secrets.SimulatorOptions(tasks: 10, resources: 10));
        simulator.State.SetFault(Fault.Hang());
        var conf = secrets.WriteConfig(temp.Path, simulator.BaseAddress, regions: "ap-guangzhou");

        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--once", "--scrape.default-timeout", "3"]);

        Assert.That(code, Is.EqualTo(1), stderr);
        // Each hanging call lasts until the deadline; one after the other, the two would never overlap.
        // The lag path lists tasks too (its group calls never start: the list hangs).
        Assert.That(simulator.State.PeakInFlight, Is.EqualTo(3), "every path's list call was hanging in the simulator at once");
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => (s["collector"], s.Value)),
            Is.EquivalentTo(new[] { ("datahub_tasks", 0.0), ("connect_resources", 0.0), ("datahub_task_lag", 0.0) }));
        Assert.That(stderr, Does.Contain("DescribeDatahubTasks in ap-guangzhou failed on its first page").And.Contain("deadline exceeded"));
    }

    [Test]
    public async Task Json_log_format_writes_one_json_object_per_line()
    {
        var (code, _, stderr) = await InProcessCli.RunAsync(["--demo", "--once", "--log.format=json", "--log.level=debug", Unpaced]);
        Assert.That(code, Is.EqualTo(0), stderr);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.Not.Empty, "debug logging of a collection writes something");
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.That(json.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object), line);
            Assert.That(json.RootElement.GetProperty("level").GetString(), Is.AnyOf("debug", "info", "warn", "error"), line);
            Assert.That(json.RootElement.TryGetProperty("msg", out _), Is.True, line);
            Assert.That(json.RootElement.TryGetProperty("ts", out _), Is.True, line);
        }

        Assert.That(lines.Any(l => l.Contains("\"collector\":\"datahub_tasks\"", StringComparison.Ordinal)), Is.True, "keyed fields become JSON properties");
    }

    /// <summary>"--flag={0}" is one argument; "--flag {0}" is two, as a shell would pass them.</summary>
    private static string[] Split(string spelling, string value) =>
        spelling.Contains(' ') ? [spelling.Split(' ')[0], value] : [string.Format(System.Globalization.CultureInfo.InvariantCulture, spelling, value)];
}
