using CkafkaSimulator;

namespace DatahubExporter.Tests.Cli;

/// <summary>
/// <c>--once</c> and <c>--config.check</c> in-process (<see cref="InProcessCli"/>) at <c>--log.level=debug</c> through
/// their failure paths, with this test's own secrets (<see cref="FreshSecrets"/>) searched for in stdout and stderr
/// (exporter.md: "Secrets are never printed, logged or exported"). The server's failure paths are in
/// <c>EndToEnd/SecretsTests</c>.
/// </summary>
public class CliSecretsTests
{
    private TempDirectory _temp = null!;
    private FreshSecrets _secrets = null!;
    private SimulatorServer _simulator = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _temp = new TempDirectory();
        _secrets = FreshSecrets.New();
        _simulator = await SimulatorServer.StartAsync(_secrets.SimulatorOptions(tasks: 120, resources: 30, token: _secrets.Token));
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _simulator.DisposeAsync();
        _temp.Dispose();
    }

    [Test]
    public async Task Failing_once_runs_leak_nothing()
    {
        var wrongKey = "wrongSecretKeyAlsoSecret" + FreshSecrets.New().SecretKey;
        var good = _secrets.WriteConfig(_temp.Path, _simulator.BaseAddress, withToken: true);
        _simulator.State.SetFault(Fault.Hang(), "DescribeConnectResources");
        var (hung, out1, err1) = await InProcessCli.RunAsync(["--conf", good, "--once", "--log.level=debug", "--scrape.default-timeout=2"]);
        _simulator.State.ClearFaults();
        Assert.That(hung, Is.EqualTo(1), err1);

        var wrong = _secrets.WriteConfig(_temp.Path, _simulator.BaseAddress, withToken: true, key: wrongKey);
        var (rejected, out2, err2) = await InProcessCli.RunAsync(["--conf", wrong, "--once", "--log.level=debug"]);
        Assert.That(rejected, Is.EqualTo(1), err2);

        var all = out1 + err1 + out2 + err2;
        _secrets.AssertNoneIn(all, "--once output");
        Assert.That(all, Does.Not.Contain(wrongKey));
        EndToEndFixture.AssertNoStackTrace(all, "--once output");
    }

    [Test]
    public async Task Config_checks_leak_nothing()
    {
        var (id, key, token) = (_secrets.SecretId, _secrets.SecretKey, _secrets.Token);
        (string Content, int Exit)[] files =
        [
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\ntoken = {token}\nregion = ap-guangzhou\n", 0),
            ($"[common]\nsecret_id = {id}\nsecret_key = \"{key}\ntoken = '{token}'\nregion = ap-guangzhou\n", 0),
            ($"[common]\nsecret_id = {id}\nsecret_key {key}\nregion = ap-guangzhou\n", 2),
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\ntoken: {token}\nregion = ap-guangzhou\n", 2),
            ($"[common]\nsecretkey = {key}\n", 2),
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\nsecret_key = {key}\nregion = ap-guangzhou\n", 2),
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\nregion = ap-guangzhou\nendpoint = https://user:{key}@127.0.0.1/\n", 2),
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\n", 2),
            ($"{key}", 2),
            // Issue 8 row 7: a secret pasted into the wrong key is quoted back only as a short prefix.
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\nregion = {key}\n", 2),
            ($"[common]\nregion = {token}\nsecret_id = {id}\nsecret_key = {key}\n", 2),
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\nregion = ap-guangzhou\n{key} = x\n", 2),
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\nregion = ap-guangzhou\nendpoint = http://{key}/path\n", 2),
            ($"[common]\nsecret_id = {id}\nsecret_key = {key}\nregion = ap-guangzhou, {id}\n", 2),
        ];
        // Every run that fails comes before the first that succeeds: starting the static keys teaches them to the
        // process-wide scrubber, which would then hide a leak that a fresh process (where every run starts) shows.
        var output = new List<string>();
        var env = new Dictionary<string, string>
        {
            ["TENCENTCLOUD_SECRET_ID"] = id, ["TENCENTCLOUD_SECRET_KEY"] = key, ["TENCENTCLOUD_TOKEN"] = token, ["TENCENTCLOUD_REGION"] = "nowhere",
        };
        var (envCode, envOut, envErr) = await InProcessCli.RunAsync(["--conf", _temp.PathOf("absent.conf"), "--config.check", "--log.level=debug"], env);
        Assert.That(envCode, Is.EqualTo(2), envErr);
        output.Add(envOut + envErr);

        foreach (var i in Enumerable.Range(0, files.Length).OrderBy(i => files[i].Exit == 0))
        {
            var path = _temp.PathOf($"check{i}.conf");
            await File.WriteAllTextAsync(path, files[i].Content);
            var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", path, "--config.check", "--log.level=debug"]);
            Assert.That(code, Is.EqualTo(files[i].Exit), $"file {i}: {stderr}");
            output.Add(stdout + stderr);
            if (files[i].Exit == 2)
            {
                // Still one useful line: the file and line are named.
                Assert.That(EndToEndFixture.AssertOneLine(stderr, $"case {i}"), Does.Contain(path));
            }
        }

        for (var i = 0; i < output.Count; i++)
        {
            _secrets.AssertNoneIn(output[i], $"--config.check case {i}");
        }
    }
}
