using System.Diagnostics;
using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// The serving binary at <c>--log.level=debug</c> driven through every failure path it has — each API fault, a
/// rejected signature, bad reloads — with the secret key and token searched for in stdout, stderr and every page
/// served (exporter.md: "Secrets are never printed, logged or exported"). Failing <c>--once</c> runs and bad
/// <c>--config.check</c> files are in-process, in <c>Cli/CliSecretsTests</c>.
/// </summary>
public class SecretsTests : EndToEndFixture
{
    private const string WrongKey = "e2eWrongSecretKeyAlsoSecret00000000";
    private static readonly string[] Pages =
        [TasksPath, ResourcesPath, "/metrics", "/", "/-/ready", "/-/healthy", "/nope"];

    private TempDirectory _temp = null!;
    private string _dir = null!;
    private SimulatorServer _simulator = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _temp = new TempDirectory("datahub-e2e-");
        _dir = _temp.Path;
        _simulator = await SimulatorServer.StartAsync(SimulatorOptions(tasks: 120, resources: 30, token: Token));
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _simulator.DisposeAsync();
        _temp.Dispose();
    }

    public static IEnumerable<TestCaseData> Faults()
    {
        yield return new TestCaseData(Fault.Error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")).SetName("Secrets_auth_failure");
        yield return new TestCaseData(Fault.Error("AuthFailure.TokenFailure", "token invalid")).SetName("Secrets_token_failure");
        yield return new TestCaseData(Fault.Error("InternalError")).SetName("Secrets_internal_error");
        yield return new TestCaseData(Fault.Error("InvalidParameterValue", "bad Limit")).SetName("Secrets_invalid_parameter");
        yield return new TestCaseData(Fault.RateLimit(0)).SetName("Secrets_rate_limited");
        yield return new TestCaseData(Fault.HttpStatus(502)).SetName("Secrets_http_502");
        yield return new TestCaseData(Fault.MalformedJson()).SetName("Secrets_malformed_json");
        yield return new TestCaseData(Fault.TruncatedJson()).SetName("Secrets_truncated_json");
        yield return new TestCaseData(Fault.OversizedBody(12 * 1024 * 1024)).SetName("Secrets_oversized_body");
        yield return new TestCaseData(Fault.NullFields(nullList: true)).SetName("Secrets_null_list");
        yield return new TestCaseData(Fault.Hang()).SetName("Secrets_hanging_api");
        // Issue 8 row 7: Tencent's own messages quote the SecretId in full; a broken gateway might echo anything.
        yield return new TestCaseData(Fault.Error("AuthFailure.SecretIdNotFound", $"The SecretId '{SecretId}' is not found.")).SetName("Secrets_api_message_quotes_the_secret_id");
        yield return new TestCaseData(Fault.Error("InternalError", $"echo: key={SecretKey} token={Token} id={SecretId}")).SetName("Secrets_api_message_echoes_every_secret");
    }

    [TestCaseSource(nameof(Faults))]
    public async Task A_fault_leaks_no_secret_into_logs_or_pages(Fault fault)
    {
        var conf = WriteConfig(_dir, _simulator.BaseAddress, token: Token);
        await using var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0", "--log.level=debug"]);
        _simulator.State.SetFault(fault);
        var pages = await FetchAllPagesAsync(exporter);
        Assert.That(_simulator.State.Faults.Sum(f => f.Applied), Is.GreaterThan(0), "the fault was exercised");
        AssertNoSecrets(pages, "served pages");
        await AssertCleanShutdownLogsAsync(exporter);
    }

    [Test]
    public async Task A_rejected_signature_leaks_neither_the_wrong_key_nor_the_token()
    {
        var conf = WriteConfig(_dir, _simulator.BaseAddress, token: Token, key: WrongKey);
        await using var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0", "--log.level=debug"]);
        var pages = await FetchAllPagesAsync(exporter);
        Assert.That(_simulator.State.ErrorCount("AuthFailure.SignatureFailure"), Is.GreaterThan(0), "the simulator really rejected the signature");
        Assert.That(pages, Does.Contain("datahub_exporter_collect_success{region=\"ap-guangzhou\",collector=\"datahub_tasks\"} 0"));
        AssertNoSecrets(pages, "served pages");
        Assert.That(pages, Does.Not.Contain(WrongKey));
        var stderr = await AssertCleanShutdownLogsAsync(exporter);
        Assert.That(stderr, Does.Not.Contain(WrongKey));
    }

    [Test]
    public async Task Bad_reloads_leak_nothing()
    {
        var conf = WriteConfig(_dir, _simulator.BaseAddress, token: Token);
        var good = await File.ReadAllTextAsync(conf);
        await using var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0", "--log.level=debug"]);
        string[] broken =
        [
            $"[common]\nsecret_id = {SecretId}\nsecret_key {SecretKey}\ntoken {Token}\nregion = ap-guangzhou\n",
            $"[common]\nsecretkey = {SecretKey}\n",
            $"[common]\nsecret_id = {SecretId}\nsecret_key = {SecretKey}\ntoken = {Token}\ntoken = {Token}\nregion = ap-guangzhou\n",
            $"{Token}\n",
        ];
        var failures = 0;
        foreach (var content in broken)
        {
            await File.WriteAllTextAsync(conf, content);
            failures = await SigHupAsync(exporter, "configuration reload failed", failures);
        }

        await File.WriteAllTextAsync(conf, good);
        await SigHupAsync(exporter, "msg=\"configuration reloaded\"", 0);
        AssertNoSecrets(await FetchAllPagesAsync(exporter), "pages after bad reloads");
        await AssertCleanShutdownLogsAsync(exporter);
    }

    /// <summary>GETs every page (short scrape timeouts so hangs end quickly) and returns all bodies concatenated.</summary>
    private static async Task<string> FetchAllPagesAsync(ExporterProcess exporter)
    {
        using var http = Http();
        var all = new System.Text.StringBuilder();
        foreach (var path in Pages)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(exporter.BaseAddress, path));
            request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", "3");
            using var response = await http.SendAsync(request);
            all.Append(await response.Content.ReadAsStringAsync()).Append('\n');
        }

        return all.ToString();
    }

    /// <summary>Stops the exporter gracefully (its last log lines included) and checks everything it wrote.</summary>
    private static async Task<string> AssertCleanShutdownLogsAsync(ExporterProcess exporter)
    {
        await exporter.StopAsync(TimeSpan.FromSeconds(15));
        var output = exporter.Stdout + exporter.Stderr;
        AssertNoSecrets(output, "exporter stdout and stderr at debug level");
        AssertNoStackTrace(output, "exporter output");
        return output;
    }

    /// <summary>Sends SIGHUP and waits (bounded) until <paramref name="logged"/> has appeared more than <paramref name="seen"/> times.</summary>
    private static async Task<int> SigHupAsync(ExporterProcess exporter, string logged, int seen)
    {
        int Count() => exporter.Stderr.Split('\n').Count(l => l.Contains(logged, StringComparison.Ordinal));
        var before = Math.Max(seen, Count());
        exporter.Signal(1);
        await Eventually.HoldsAsync(() => Count() > before, $"\"{logged}\" is logged after SIGHUP");
        return Count();
    }
}
