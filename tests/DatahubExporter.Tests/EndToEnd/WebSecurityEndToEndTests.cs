using DatahubExporter.Http;
using DatahubExporter.WebConfig;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// The real binary with <c>--web.config.file</c> (TLS from PEM files made at test time, bcrypt basic auth), probed
/// with real curl as an operator would: 401 + challenge without credentials, 200 with them over verified TLS,
/// plain HTTP refused, <c>/-/healthy</c> open. A bad web config (exit 2, one line) is tested in-process, in
/// <c>Cli/ConfigFileTests</c>.
/// </summary>
public class WebSecurityEndToEndTests : EndToEndFixture
{
    private const string User = "prometheus";
    private const string Password = "e2eBasicAuthPasswordNeverLogged";
    private string _caFile = null!;
    private ExporterStack _stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!File.Exists("/usr/bin/curl"))
        {
            Assert.Ignore("needs curl");
        }

        _stack = await ExporterStack.StartAsync(token: Token, startExporter: false);
        _caFile = TestPki.WriteSelfSignedServer(_stack.Dir, "server");
        await File.WriteAllTextAsync(Path.Combine(_stack.Dir, "web.yml"), $"""
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
            basic_auth_users:
              {User}: {Bcrypt.Hash(Password, 10)}

            """);
        await _stack.StartExporterAsync("--web.config.file", Path.Combine(_stack.Dir, "web.yml"), "--log.level=debug");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_stack is not null)
        {
            Assert.That(await _stack.StopAsync("exporter logs with basic auth"), Does.Not.Contain(Password), "basic auth password in the logs");
        }
    }

    [Test]
    public void The_exporter_listens_on_https()
    {
        Assert.That(_stack.Exporter.BaseAddress.Scheme, Is.EqualTo("https"));
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

        var maps = await File.ReadAllTextAsync($"/proc/{_stack.Exporter.Pid}/maps");
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
        var plain = $"http://127.0.0.1:{_stack.Exporter.BaseAddress.Port}{TasksPath}";
        var (exit, headers, body) = await CurlAsync("-u", $"{User}:{Password}", plain);
        Assert.That(exit != 0 || StatusOf(headers) == 400, Is.True, $"curl exit {exit}, headers:\n{headers}");
        Assert.That(body, Does.Not.Contain("datahub_task_status"));
        Assert.That(_stack.Exporter.HasExited, Is.False);
        var (after, headersAfter, _) = await CurlAsync("--cacert", _caFile, Url("/-/healthy"));
        Assert.That((after, StatusOf(headersAfter)), Is.EqualTo((0, 200)), "still serving TLS afterwards");
    }

    private string Url(string path) => new Uri(_stack.Exporter.BaseAddress, path).ToString();

    private static int StatusOf(string headers)
    {
        var statusLine = headers.Split('\n').LastOrDefault(l => l.StartsWith("HTTP/", StringComparison.Ordinal));
        return statusLine is null ? 0 : int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs curl (bounded) and returns its exit code, the response headers (with curl's stderr) and the body.</summary>
    private static async Task<(int Exit, string Headers, string Body)> CurlAsync(params string[] args)
    {
        var result = await Curl.RunAsync(args);
        return (result.ExitCode, result.Headers + result.Error, result.Body);
    }
}
