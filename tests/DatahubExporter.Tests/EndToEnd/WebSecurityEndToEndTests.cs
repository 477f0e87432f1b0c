using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CkafkaSimulator;
using DatahubExporter.Http;
using DatahubExporter.WebConfig;
using static DatahubExporter.Tests.EndToEnd.EndToEndFixture;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// The real binary with <c>--web.config.file</c> (TLS from PEM files made at test time, bcrypt basic auth), probed
/// with real curl as an operator would: 401 + challenge without credentials, 200 with them over verified TLS,
/// plain HTTP refused, <c>/-/healthy</c> open, and a bad web config is exit 2 with one line.
/// </summary>
[TestFixture]
[NonParallelizable]
public class WebSecurityEndToEndTests
{
    private const string TasksPath = "/api/v1/ckafka/datahub_tasks/metrics";
    private const string User = "prometheus";
    private const string Password = "e2eBasicAuthPasswordNeverLogged";
    private string _dir = null!;
    private string _caFile = null!;
    private SimulatorServer _simulator = null!;
    private ExporterProcess _exporter = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!File.Exists("/usr/bin/curl"))
        {
            Assert.Ignore("needs curl");
        }

        _dir = NewTempDir();
        _caFile = WriteSelfSignedPem(_dir, "server");
        await File.WriteAllTextAsync(Path.Combine(_dir, "web.yml"), $"""
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
            basic_auth_users:
              {User}: {Bcrypt.Hash(Password, 10)}

            """);
        _simulator = await SimulatorServer.StartAsync(SimulatorOptions(token: Token));
        var conf = WriteConfig(_dir, _simulator.BaseAddress, token: Token);
        _exporter = await ExporterProcess.StartServerAsync(
            ["--conf", conf, "--web.listen-address=127.0.0.1:0", "--web.config.file", Path.Combine(_dir, "web.yml"), "--log.level=debug"]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_exporter is null)
        {
            return;
        }

        var stderr = _exporter.Stderr;
        await _exporter.DisposeAsync();
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
        AssertNoSecrets(stderr, "exporter logs with basic auth");
        Assert.That(stderr, Does.Not.Contain(Password), "basic auth password in the logs");
        CliTests.AssertNoStackTrace(stderr, "exporter logs with basic auth");
    }

    [Test]
    public void The_exporter_listens_on_https()
    {
        Assert.That(_exporter.BaseAddress.Scheme, Is.EqualTo("https"));
    }

    [Test]
    public async Task No_credentials_get_401_with_a_basic_challenge()
    {
        var (exit, headers, _) = await CurlAsync("--cacert", _caFile, Url(TasksPath));
        Assert.That(exit, Is.EqualTo(0), headers);
        Assert.That(StatusOf(headers), Is.EqualTo(401));
        Assert.That(headers, Does.Match(@"(?im)^www-authenticate: Basic\b"));
    }

    [Test]
    public async Task A_wrong_password_gets_401()
    {
        var (exit, headers, body) = await CurlAsync("--cacert", _caFile, "-u", $"{User}:wrong-{Password}", Url(TasksPath));
        Assert.That(exit, Is.EqualTo(0), headers);
        Assert.That(StatusOf(headers), Is.EqualTo(401));
        Assert.That(body, Does.Not.Contain("datahub_task_status"));
    }

    [Test]
    public async Task Credentials_over_verified_tls_get_the_tasks_path()
    {
        var (exit, headers, body) = await CurlAsync("--cacert", _caFile, "-u", $"{User}:{Password}", Url(TasksPath));
        Assert.That(exit, Is.EqualTo(0), headers);
        Assert.That(StatusOf(headers), Is.EqualTo(200));
        Assert.That(ExpositionParser.Parse(body).Count(s => s.Name == "datahub_task_status"), Is.EqualTo(2 * 250));
        AssertNoSecrets(body, "tasks path over TLS");
    }

    [Test]
    public async Task Metrics_path_needs_credentials_too()
    {
        var (_, without, _) = await CurlAsync("--cacert", _caFile, Url("/metrics"));
        var (_, with, body) = await CurlAsync("--cacert", _caFile, "-u", $"{User}:{Password}", Url("/metrics"));
        Assert.That(StatusOf(without), Is.EqualTo(401));
        Assert.That(StatusOf(with), Is.EqualTo(200));
        Assert.That(body, Does.Contain("datahub_exporter_build_info{"));
    }

    [Test]
    public async Task Basic_auth_needs_no_libcrypt_so_nothing_loads_it()
    {
        // Distroless and minimal images have no libcrypt.so.1/.2; bcrypt must be the managed one. A wrong password
        // is never cached, so this request surely ran a bcrypt check; the right one proves the check passes.
        var (_, wrong, _) = await CurlAsync("--cacert", _caFile, "-u", $"{User}:not-{Password}", Url("/metrics"));
        var (_, right, _) = await CurlAsync("--cacert", _caFile, "-u", $"{User}:{Password}", Url("/metrics"));
        Assert.That((StatusOf(wrong), StatusOf(right)), Is.EqualTo((401, 200)));

        var maps = await File.ReadAllTextAsync($"/proc/{_exporter.Pid}/maps");
        // "libcrypt.so", not "libcrypt": OpenSSL's libcrypto is loaded for TLS and is fine.
        Assert.That(maps, Does.Not.Contain("libcrypt.so"), $"{ExporterProcess.BinaryPath} mapped libcrypt");
    }

    [Test]
    public async Task Healthy_is_open_without_credentials()
    {
        var (exit, headers, body) = await CurlAsync("--cacert", _caFile, Url("/-/healthy"));
        Assert.That(exit, Is.EqualTo(0), headers);
        Assert.That(StatusOf(headers), Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("Healthy\n"));
    }

    [Test]
    public async Task An_untrusted_certificate_is_rejected_by_curl()
    {
        // Proves the --cacert runs above really verified something: without it the self-signed certificate fails.
        var (exit, _, body) = await CurlAsync("-u", $"{User}:{Password}", Url(TasksPath));
        Assert.That(exit, Is.EqualTo(60), "curl: peer certificate cannot be authenticated");
        Assert.That(body, Is.Empty);
    }

    [Test]
    public async Task Plain_http_to_the_tls_port_gets_no_metrics()
    {
        var plain = $"http://127.0.0.1:{_exporter.BaseAddress.Port}{TasksPath}";
        var (exit, headers, body) = await CurlAsync("-u", $"{User}:{Password}", plain);
        Assert.That(exit != 0 || StatusOf(headers) == 400, Is.True, $"curl exit {exit}, headers:\n{headers}");
        Assert.That(body, Does.Not.Contain("datahub_task_status"));
        Assert.That(_exporter.HasExited, Is.False);
        var (after, headersAfter, _) = await CurlAsync("--cacert", _caFile, Url("/-/healthy"));
        Assert.That((after, StatusOf(headersAfter)), Is.EqualTo((0, 200)), "still serving TLS afterwards");
    }

    [TestCase("missing_cert", "tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n")]
    [TestCase("bad_yaml", "tls_server_config: [unclosed\n")]
    [TestCase("unknown_key", "basic_auth_users:\n  a: $2y$10$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui\nwhatever: 1\n")]
    [TestCase("not_bcrypt", "basic_auth_users:\n  a: plaintext-password\n")]
    [TestCase("binary", "\u0001\u0002\u0003")]
    public async Task A_bad_web_config_exits_2_with_one_line_naming_the_file(string name, string content)
    {
        var dir = NewTempDir();
        try
        {
            WriteSelfSignedPem(dir, "server");
            var path = Path.Combine(dir, name + ".yml");
            await File.WriteAllTextAsync(path, content);
            var (code, stdout, stderr) = await ExporterProcess.RunAsync(["--demo", "--web.listen-address=127.0.0.1:0", "--web.config.file", path]);
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(CliTests.AssertOneLine(stderr, name), Does.Contain(path));
            Assert.That(stderr, Does.Not.Contain("plaintext-password"), "a bad hash is not echoed");
            Assert.That(stdout, Is.Empty);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task A_missing_web_config_file_exits_2()
    {
        var path = Path.Combine(_dir, "absent.yml");
        var (code, _, stderr) = await ExporterProcess.RunAsync(["--demo", "--web.listen-address=127.0.0.1:0", "--web.config.file", path]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(CliTests.AssertOneLine(stderr, "absent web config"), Does.Contain(path));
    }

    /// <summary>A self-signed P-256 certificate for 127.0.0.1 and localhost as NAME.crt / NAME.key (PEM); returns the .crt path.</summary>
    internal static string WriteSelfSignedPem(string dir, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var crt = Path.Combine(dir, name + ".crt");
        File.WriteAllText(crt, certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, name + ".key"), key.ExportPkcs8PrivateKeyPem());
        return crt;
    }

    private string Url(string path) => new Uri(_exporter.BaseAddress, path).ToString();

    private static int StatusOf(string headers)
    {
        var statusLine = headers.Split('\n').LastOrDefault(l => l.StartsWith("HTTP/", StringComparison.Ordinal));
        return statusLine is null ? 0 : int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs curl (bounded) and returns its exit code, the response headers and the body.</summary>
    private async Task<(int Exit, string Headers, string Body)> CurlAsync(params string[] args)
    {
        var headersFile = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".h");
        var bodyFile = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".b");
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-sS", "--max-time", "30", "--noproxy", "*", "-D", headersFile, "-o", bodyFile }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        using var curl = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var stderr = curl.StandardError.ReadToEndAsync(cts.Token);
        await curl.StandardOutput.ReadToEndAsync(cts.Token);
        await curl.WaitForExitAsync(cts.Token);
        var headers = File.Exists(headersFile) ? await File.ReadAllTextAsync(headersFile) : "";
        var body = File.Exists(bodyFile) ? await File.ReadAllTextAsync(bodyFile) : "";
        File.Delete(headersFile);
        File.Delete(bodyFile);
        return (curl.ExitCode, headers.Replace("\r", "", StringComparison.Ordinal) + await stderr, body);
    }
}
