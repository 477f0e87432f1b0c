using System.Net;
using System.Net.Sockets;
using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// The command line of the real binary where the process is the point: a smoke test per command (<c>--help</c>,
/// <c>--version</c>, a bad flag, <c>--config.check</c>, <c>--once</c>, <c>--demo</c>, serving) for its exit code and
/// output, which CI repeats against the NativeAOT binary, and the real listening socket. Everything else the command
/// line does is tested in-process, in <c>Cli/ProgramTests</c> and <c>Cli/ConfigFileTests</c> (exporter.md "Command line").
/// </summary>
public class CliTests : EndToEndFixture
{
    private TempDirectory _temp = null!;
    private string _dir = null!;

    [SetUp]
    public void MakeDir() => _dir = (_temp = new TempDirectory("datahub-e2e-")).Path;

    [TearDown]
    public void RemoveDir() => _temp.Dispose();

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

    [Test]
    public async Task An_unknown_flag_exits_2_with_one_line()
    {
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--bogus"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(AssertOneLine(stderr, "--bogus"), Does.Contain("--bogus").And.EndWith("(see --help)"));
        Assert.That(stdout, Is.Empty);
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
    public async Task Once_against_the_simulator_exits_0_and_prints_every_path()
    {
        await using var simulator = await SimulatorServer.StartAsync(SimulatorOptions(token: Token));
        var conf = WriteConfig(_dir, simulator.BaseAddress, token: Token);
        var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--conf", conf, "--once"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        OnceOutput.AssertEveryPathOfTwoRegions(stdout);
        AssertNoSecrets(stdout + stderr, "--once");
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
