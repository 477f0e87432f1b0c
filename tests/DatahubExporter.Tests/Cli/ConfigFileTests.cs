using CkafkaSimulator;

namespace DatahubExporter.Tests.Cli;

/// <summary>
/// The config corpus in testdata/e2e/config through the command line in-process (<see cref="InProcessCli"/>) with
/// <c>--config.check</c>: every bad file is exit 2 and one line naming the file (and line and key); good oddities
/// (BOM, CRLF) pass; environment overrides work without a file; a group-readable file is warned about (exporter.md
/// "Configuration file"); a bad or missing <c>--web.config.file</c> is exit 2 and one line naming it. The corpus's
/// secrets are replaced by <see cref="FreshSecrets"/> on copy.
/// </summary>
public class ConfigFileTests
{
    private static readonly string CorpusDir = Path.Combine(AppContext.BaseDirectory, "testdata", "e2e", "config");
    private TempDirectory _temp = null!;
    private FreshSecrets _secrets = null!;

    private string Dir => _temp.Path;

    [SetUp]
    public void MakeDir()
    {
        _temp = new TempDirectory();
        _secrets = FreshSecrets.New();
    }

    [TearDown]
    public void RemoveDir() => _temp.Dispose();

    [TestCase("bom.conf")]
    [TestCase("crlf.conf")]
    public async Task Good_oddities_pass(string name)
    {
        var conf = CopyPrivate(name);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout.Trim(), Is.EqualTo($"configuration OK: file={conf} regions=ap-guangzhou credential_source=static keys=file secret_id=AKID…0001 endpoint=http://127.0.0.1:9/ web_config=none\n" +
                                                 "  task filter: all\n  resource filter: all"));
        Assert.That(stderr, Is.Empty, "a 0600 file gives no warning");
    }

    [TestCase("empty.conf", ": missing section [common]")]
    [TestCase("garbage.conf", ": not a text file (NUL byte at offset 7)")]
    [TestCase("duplicate_key.conf", ":6: duplicate key \"region\" in [common]")]
    [TestCase("unknown_key.conf", ":6: unknown key \"secretkey\" in [common]")]
    [TestCase("unknown_section.conf", ":7: unknown section [extra]")]
    [TestCase("no_common.conf", ":1: unknown section [general]")]
    [TestCase("wrong_type_region.conf", ":4: key \"region\" in [common]: \"42\" is not a region id")]
    [TestCase("wrong_type_section_value.conf", ":4: key \"region\" in [common]: \"[ap-guangzhou]\" is not a region id")]
    [TestCase("bad_region.conf", ":4: key \"region\" in [common]: \"Shanghai!\" is not a region id")]
    [TestCase("bad_endpoint_url.conf", ":5: key \"endpoint\" in [common]: \"ftp://127.0.0.1:9/\": scheme \"ftp\" is not http or https")]
    [TestCase("bad_endpoint_path.conf", ":5: key \"endpoint\" in [common]: \"http://127.0.0.1:9/api?x=1\": path \"/api\" is not allowed")]
    [TestCase("secret_on_a_syntax_error_line.conf", ":3: syntax error")]
    public async Task Bad_file_exits_2_with_one_line_naming_file_and_problem(string name, string expected)
    {
        var conf = CopyPrivate(name);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check", "--log.level=debug"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        var line = EndToEndFixture.AssertOneLine(stderr, name);
        Assert.That(line, Does.StartWith($"datahub_exporter: {conf}{expected}"));
        Assert.That(stdout, Is.Empty);
        _secrets.AssertNoneIn(stderr, name);
    }

    [Test]
    public async Task Missing_file_exits_2_with_one_line_naming_it_and_the_variables()
    {
        var conf = Path.Combine(Dir, "absent.conf");
        var (code, _, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, "missing file"),
            Is.EqualTo($"datahub_exporter: {conf}: file not found (or set TENCENTCLOUD_REGION, with TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY unless a credentials profile, TKE OIDC or the CVM role supplies the keys)"));
    }

    [Test]
    public async Task A_directory_is_not_a_config_file()
    {
        var (code, _, stderr) = await InProcessCli.RunAsync(["--conf", Dir, "--config.check"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, "directory"), Does.Contain(Dir));
    }

    [TestCase("--config.check")]
    [TestCase("--once")]
    [TestCase("--web.listen-address=127.0.0.1:0")]
    public async Task A_fifo_at_the_config_path_is_a_clear_error_not_a_hang(string mode)
    {
        // Issue 8 row 8: without a writer, opening a FIFO never returns; the run is bounded to 30 s.
        var conf = Path.Combine(Dir, "fifo.conf");
        EndToEndFixture.Mkfifo(conf);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, mode], timeout: TimeSpan.FromSeconds(30));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, "fifo config"),
            Is.EqualTo($"datahub_exporter: {conf}: is a FIFO (named pipe), not a regular file; a config file must be a regular file"));
        Assert.That(stdout, Is.Empty);
    }

    [TestCase("web.yml", "web config {0}: is a FIFO (named pipe), not a regular file")]
    [TestCase("server.crt", "tls_server_config.cert_file: {1} is a FIFO (named pipe), not a regular file")]
    [TestCase("server.key", "tls_server_config.key_file: {1} is a FIFO (named pipe), not a regular file")]
    public async Task A_fifo_as_web_config_certificate_or_key_is_a_clear_error_not_a_hang(string fifo, string expected)
    {
        TestPki.WriteSelfSignedServer(Dir, "server");
        var web = Path.Combine(Dir, "web.yml");
        await File.WriteAllTextAsync(web, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
        var path = Path.Combine(Dir, fifo);
        File.Delete(path);
        EndToEndFixture.Mkfifo(path);

        var (code, _, stderr) = await InProcessCli.RunAsync(["--demo", "--web.listen-address=127.0.0.1:0", "--web.config.file", web],
            timeout: TimeSpan.FromSeconds(30));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, "fifo " + fifo), Does.Contain(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, web, path)));
    }

    [TestCase("missing_cert", "tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n")]
    [TestCase("bad_yaml", "tls_server_config: [unclosed\n")]
    [TestCase("unknown_key", "basic_auth_users:\n  a: $2y$10$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui\nwhatever: 1\n")]
    [TestCase("not_bcrypt", "basic_auth_users:\n  a: plaintext-password\n")]
    // Named: the control characters in the generated name make the test runner drop the result.
    [TestCase("binary", "\u0001\u0002\u0003", TestName = "A_bad_web_config_exits_2_with_one_line_naming_the_file(binary)")]
    public async Task A_bad_web_config_exits_2_with_one_line_naming_the_file(string name, string content)
    {
        TestPki.WriteSelfSignedServer(Dir, "server");
        var path = Path.Combine(Dir, name + ".yml");
        await File.WriteAllTextAsync(path, content);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--demo", "--web.listen-address=127.0.0.1:0", "--web.config.file", path]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, name), Does.Contain(path));
        Assert.That(stderr, Does.Not.Contain("plaintext-password"), "a bad hash is not echoed");
        Assert.That(stdout, Is.Empty);
    }

    [Test]
    public async Task A_missing_web_config_file_exits_2()
    {
        var path = Path.Combine(Dir, "absent.yml");
        var (code, _, stderr) = await InProcessCli.RunAsync(["--demo", "--web.listen-address=127.0.0.1:0", "--web.config.file", path]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, "absent web config"), Does.Contain(path));
    }

    [Test]
    public async Task Environment_alone_is_enough_without_a_file()
    {
        var env = new Dictionary<string, string>
        {
            ["TENCENTCLOUD_SECRET_ID"] = _secrets.SecretId,
            ["TENCENTCLOUD_SECRET_KEY"] = _secrets.SecretKey,
            ["TENCENTCLOUD_REGION"] = "ap-beijing,ap-guangzhou",
            ["TENCENTCLOUD_TOKEN"] = _secrets.Token,
        };
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", Path.Combine(Dir, "absent.conf"), "--config.check", "--log.level=debug"], env);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("regions=ap-beijing,ap-guangzhou "));
        // Issue 8 row 10: the environment supplied the credentials and no file was read.
        Assert.That(stdout, Does.StartWith("configuration OK: file=none "));
        Assert.That(stdout, Does.Contain(" credential_source=static keys=environment "));
        Assert.That(stdout, Does.Contain("secret_id=AKID…0001 "));
        _secrets.AssertNoneIn(stdout + stderr, "env-only --config.check");
    }

    [Test]
    public async Task Environment_without_a_region_and_no_file_exits_2()
    {
        var env = new Dictionary<string, string> { ["TENCENTCLOUD_SECRET_ID"] = _secrets.SecretId, ["TENCENTCLOUD_SECRET_KEY"] = _secrets.SecretKey };
        var (code, _, stderr) = await InProcessCli.RunAsync(["--conf", Path.Combine(Dir, "absent.conf"), "--config.check"], env);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, "env without region"), Does.Contain("TENCENTCLOUD_REGION"));
        _secrets.AssertNoneIn(stderr, "env without region");
    }

    [Test]
    public async Task A_bad_region_variable_exits_2_naming_the_variable()
    {
        var conf = CopyPrivate("crlf.conf");
        var (code, _, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check"], new Dictionary<string, string> { ["TENCENTCLOUD_REGION"] = "Mars" });
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(EndToEndFixture.AssertOneLine(stderr, "bad env region"), Does.Contain("environment variable TENCENTCLOUD_REGION: \"Mars\""));
    }

    [Test]
    public async Task Environment_wins_over_the_file()
    {
        var conf = CopyPrivate("crlf.conf");
        var env = new Dictionary<string, string> { ["TENCENTCLOUD_REGION"] = "ap-shanghai", ["TENCENTCLOUD_SECRET_ID"] = "AKIDfromTheEnvironmentXYZW" };
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check"], env);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("regions=ap-shanghai "));
        Assert.That(stdout, Does.Contain("secret_id=AKID…XYZW "));
    }

    [Test]
    public async Task Token_and_key_from_the_environment_are_used_for_api_calls()
    {
        // The simulator only accepts the right key and token, so a --once that succeeds proves both were sent.
        await using var simulator = await SimulatorServer.StartAsync(_secrets.SimulatorOptions(tasks: 3, resources: 2, token: _secrets.Token));
        var conf = _secrets.WriteConfig(Dir, simulator.BaseAddress, key: "notTheRightKeyButTheEnvironmentWins");
        var env = new Dictionary<string, string> { ["TENCENTCLOUD_SECRET_KEY"] = _secrets.SecretKey, ["TENCENTCLOUD_TOKEN"] = _secrets.Token };
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--once"], env);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(ExpositionParser.Parse(stdout).Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value), Is.All.EqualTo(1));

        var (withoutToken, _, stderr2) = await InProcessCli.RunAsync(["--conf", conf, "--once"], new Dictionary<string, string> { ["TENCENTCLOUD_SECRET_KEY"] = _secrets.SecretKey });
        Assert.That(withoutToken, Is.EqualTo(1), "the simulator requires the token: without it the collection fails");
        _secrets.AssertNoneIn(stdout + stderr + stderr2, "env credentials");
    }

    [Test]
    public async Task A_group_readable_file_is_warned_about_but_accepted()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("file modes are a Unix matter");
            return;
        }

        var conf = CopyPrivate("crlf.conf");
        File.SetUnixFileMode(conf, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.StartWith("configuration OK"));
        var warning = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single();
        Assert.That(warning, Does.Contain("level=warn"));
        Assert.That(warning, Does.Contain("(mode 0644)"));
        Assert.That(warning, Does.Contain(conf));
        _secrets.AssertNoneIn(stderr, "permission warning");
    }

    [Test]
    public async Task A_file_readable_by_the_exporters_own_group_is_not_warned_about()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("file modes are a Unix matter");
            return;
        }

        // The systemd recipe installs the file 0640 root:datahub_exporter and runs as that group; a new file has
        // the group of this process, which is the exporter's here.
        var conf = CopyPrivate("crlf.conf");
        File.SetUnixFileMode(conf, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var (code, stdout, stderr) = await InProcessCli.RunAsync(["--conf", conf, "--config.check"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.StartWith("configuration OK"));
        Assert.That(stderr, Is.Empty, "no permission warning, nor any other");
    }

    /// <summary>Copies a corpus file to the private temp dir with mode 0600 and this test's secrets, so only the
    /// file's content is under test.</summary>
    private string CopyPrivate(string name)
    {
        var path = Path.Combine(Dir, name);
        _secrets.CopyReplacing(Path.Combine(CorpusDir, name), path);
        return path;
    }
}
