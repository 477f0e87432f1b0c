using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>The command line of the real binary: flag spellings, exit codes 0/1/2, one-line errors (exporter.md "Command line").</summary>
public class CliTests : EndToEndFixture
{
    private TempDirectory _temp = null!;
    private string _dir = null!;

    [SetUp]
    public void MakeDir() => _dir = (_temp = new TempDirectory("datahub-e2e-")).Path;

    [TearDown]
    public void RemoveDir() => _temp.Dispose();

    /// <summary>A user error is exactly one non-empty line on stderr, prefixed with the program name, and never a stack trace.</summary>
    internal static string AssertOneLine(string stderr, string what)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), $"{what}: expected one line on stderr, got:\n{stderr}");
        Assert.That(lines[0], Does.StartWith("datahub_exporter: "), what);
        AssertNoStackTrace(stderr, what);
        return lines[0];
    }

    [Test]
    public async Task Help_exits_0_and_lists_the_flags()
    {
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--help"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        foreach (var flag in new[] { "--web.listen-address", "--conf", "--web.config.file", "--log.level", "--log.format", "--once", "--config.check", "--demo" })
        {
            Assert.That(stdout, Does.Contain(flag));
        }
    }

    [Test]
    public async Task Version_exits_0_and_prints_a_version()
    {
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--version"]);
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
        var (code, stdout, stderr) = await ExporterProcess.RunAsync([arg]);
        Assert.That(code, Is.EqualTo(2), stderr);
        AssertOneLine(stderr, arg);
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
        var (code, stdout, stderr) = await ExporterProcess.RunAsync([arg, "--config.check"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(AssertOneLine(stderr, arg), Is.EqualTo("datahub_exporter: " + message));
        Assert.That(stderr, Does.Not.Contain("System."), "no .NET type names");
        Assert.That(stdout, Is.Empty);
    }

    [TestCase("--conf={0}")]
    [TestCase("--conf {0}")]
    [TestCase("-conf={0}")]
    [TestCase("-conf {0}")]
    public async Task Every_conf_spelling_is_read(string spelling)
    {
        var conf = WriteConfig(_dir, new Uri("http://127.0.0.1:9/"));
        var (code, stdout, stderr) = await ExporterProcess.RunAsync([.. Split(spelling, conf), "--config.check"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain($"file={conf} "));
    }

    [TestCase("--web.listen-address={0}")]
    [TestCase("--web.listen-address {0}")]
    [TestCase("-web.listen-address={0}")]
    [TestCase("-web.listen-address {0}")]
    public async Task Every_listen_address_spelling_serves_on_ipv4_loopback(string spelling)
    {
        await using var exporter = await ExporterProcess.StartServerAsync([.. Split(spelling, "127.0.0.1:0"), "--demo"]);
        Assert.That(exporter.BaseAddress.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(await GetAsync(exporter.BaseAddress, "/-/healthy"), Is.EqualTo("Healthy\n"));
    }

    [TestCase("--web.listen-address={0}")]
    [TestCase("-web.listen-address {0}")]
    public async Task Bracketed_ipv6_loopback_serves(string spelling)
    {
        if (!Ipv6LoopbackWorks())
        {
            Assert.Ignore("no IPv6 loopback on this machine");
        }

        await using var exporter = await ExporterProcess.StartServerAsync([.. Split(spelling, "[::1]:0"), "--demo"]);
        Assert.That(exporter.BaseAddress.Host, Is.EqualTo("[::1]"));
        var text = await GetAsync(exporter.BaseAddress, TasksPath);
        Assert.That(ExpositionParser.Parse(text).Count(s => s.Name == "datahub_task_status"), Is.GreaterThan(0));
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
        var (code, _, stderr) = await ExporterProcess.RunAsync(["--demo", "--web.listen-address", address]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(AssertOneLine(stderr, address), Does.Contain($"\"{address}\""));
    }

    [Test]
    public async Task Port_already_in_use_exits_1_with_one_clear_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--demo", $"--web.listen-address=127.0.0.1:{port}"]);
        Assert.That(code, Is.EqualTo(1), stderr);
        var line = AssertOneLine(stderr, "port in use");
        Assert.That(line, Does.StartWith($"datahub_exporter: cannot listen on 127.0.0.1:{port}: "));
        Assert.That(line, Does.Contain("in use"));
        Assert.That(stdout, Is.Empty);
    }

    [Test]
    public async Task Config_check_of_a_good_file_exits_0_masks_the_id_and_calls_no_api()
    {
        await using var simulator = await SimulatorServer.StartAsync(SimulatorOptions());
        var conf = WriteConfig(_dir, simulator.BaseAddress, token: Token);
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--conf", conf, "--config.check", "--log.level=debug"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.StartWith("configuration OK: "));
        Assert.That(stdout, Does.Contain("regions=ap-guangzhou,ap-shanghai"));
        Assert.That(stdout, Does.Contain($"secret_id={SecretId[..4]}…{SecretId[^4..]}"));
        AssertNoSecrets(stdout + stderr, "--config.check");
        Assert.That(simulator.State.RequestCount(), Is.EqualTo(0), "--config.check must not call the API");
    }

    [Test]
    public async Task Config_check_warns_of_a_misspelt_region_with_a_guess_and_shows_the_filters()
    {
        var conf = WriteConfig(_dir, new Uri("http://127.0.0.1:9"), regions: "ap-guangzou, ap-shanghai, xx-newregion-1");
        await File.AppendAllTextAsync(conf, "task_name_include = prod-.*\nresource_name_exclude = tmp-.*\n");
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--conf", conf, "--config.check"]);

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
    public async Task Demo_first_screen_reads_like_a_real_account()
    {
        // A new operator's first look: the hostile names (a 2,000-character one, quotes, newlines) belong to the tests.
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--demo", "--once"]);
        Assert.That(code, Is.EqualTo(0), stderr);

        var firstScreen = stdout.Split('\n').Take(40).ToList();
        var names = firstScreen.Select(l => System.Text.RegularExpressions.Regex.Match(l, "(?:TaskName|ResourceName)=\"([^\"]*)\"")).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.That(names, Has.Count.GreaterThanOrEqualTo(10), string.Join('\n', firstScreen));
        Assert.That(names, Has.All.Match("^[a-z][a-z0-9-]{2,47}$"));
        Assert.That(firstScreen.Where(l => !l.StartsWith('#')), Has.All.Length.LessThan(200));
    }

    [Test]
    public async Task Config_check_of_a_bad_file_exits_2_with_one_line_naming_file_and_key()
    {
        var conf = Path.Combine(_dir, "bad.conf");
        await File.WriteAllTextAsync(conf, $"[common]\nsecret_id = {SecretId}\nsecret_key = {SecretKey}\nregion = ap-guangzhou\nregoin = ap-shanghai\n");
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--conf", conf, "--config.check"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        var line = AssertOneLine(stderr, "bad config");
        Assert.That(line, Does.Contain(conf));
        Assert.That(line, Does.Contain("\"regoin\""));
        Assert.That(stdout, Is.Empty);
        AssertNoSecrets(stderr, "bad config error");
    }

    [Test]
    public async Task Once_against_the_simulator_exits_0_and_prints_every_path()
    {
        await using var simulator = await SimulatorServer.StartAsync(SimulatorOptions(token: Token));
        var conf = WriteConfig(_dir, simulator.BaseAddress, token: Token);
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--conf", conf, "--once"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        // One exposition, not two pasted together: every family is introduced exactly once.
        var typeLines = stdout.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).ToList();
        Assert.That(typeLines, Is.Unique);
        Assert.That(typeLines, Does.Contain("# TYPE datahub_exporter_collect_success gauge"));
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(2 * 250));
        Assert.That(samples.Count(s => s.Name == "connect_resource_status"), Is.EqualTo(2 * 120));
        Assert.That(samples.Count(s => s.Name == "datahub_task_consumer_lag"), Is.GreaterThan(0), "the lag path is one of them");
        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value).ToList(),
            Has.Count.EqualTo(2 * ExporterServices.AllPaths.Count).And.All.EqualTo(1));
        AssertNoSecrets(stdout + stderr, "--once");
    }

    [Test]
    public async Task Once_with_a_failing_region_exits_1_and_still_prints_everything_else()
    {
        await using var simulator = await SimulatorServer.StartAsync(SimulatorOptions());
        simulator.State.SetFault(Fault.Error("ResourceUnavailable", "injected"), "DescribeConnectResources", "ap-shanghai");
        var conf = WriteConfig(_dir, simulator.BaseAddress);
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--conf", conf, "--once"]);
        Assert.That(code, Is.EqualTo(1), stderr);
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(2 * 250));
        Assert.That(samples.Count(s => s.Name == "connect_resource_status" && s["region"] == "ap-guangzhou"), Is.EqualTo(120));
        Assert.That(samples.Count(s => s.Name == "connect_resource_status" && s["region"] == "ap-shanghai"), Is.EqualTo(0));
        Assert.That(samples.Single(s => s.Name == "datahub_exporter_collect_success" && s["collector"] == "connect_resources" && s["region"] == "ap-shanghai").Value,
            Is.EqualTo(0));
        Assert.That(samples.Single(s => s.Name == "connect_resource_error_count" && s["region"] == "ap-shanghai").Value, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("collection failed"));
        AssertNoStackTrace(stderr, "--once failure");
        AssertNoSecrets(stdout + stderr, "--once failure");
    }

    [Test]
    public async Task Demo_once_exits_0()
    {
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--demo", "--once"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.GreaterThan(0));
        Assert.That(samples.Count(s => s.Name == "connect_resource_status"), Is.GreaterThan(0));
    }

    [Test]
    public async Task Json_log_format_writes_one_json_object_per_line()
    {
        var (code, _, stderr) = await ExporterProcess.RunAsync(["--demo", "--once", "--log.format=json", "--log.level=debug"]);
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


    internal static bool Ipv6LoopbackWorks()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>"--flag={0}" is one argument; "--flag {0}" is two, as a shell would pass them.</summary>
    private static string[] Split(string spelling, string value) =>
        spelling.Contains(' ') ? [spelling.Split(' ')[0], value] : [string.Format(System.Globalization.CultureInfo.InvariantCulture, spelling, value)];

    private static async Task<string> GetAsync(Uri baseAddress, string path)
    {
        using var http = Http();
        return await EndToEndFixture.GetAsync(http, baseAddress, path);
    }
}
