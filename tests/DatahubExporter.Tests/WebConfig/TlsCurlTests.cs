using System.Security.Cryptography.X509Certificates;
using DatahubExporter.Http;
using DatahubExporter.WebConfig;

namespace DatahubExporter.Tests.WebConfig;

/// <summary>TLS, client certificates and basic auth as the real curl sees them, against a loopback Kestrel
/// set up by <see cref="WebSecurity.ConfigureHttps"/>. Certificates are made at test time.</summary>
[NonParallelizable]
public sealed class TlsCurlTests
{
    private TestPki _pki = null!;
    private X509Certificate2 _ca = null!;

    [SetUp]
    public void CreateCertificates()
    {
        _pki = new TestPki();
        _ca = TestPki.CreateCa("test ca");
        using var rogueCa = TestPki.CreateCa("rogue ca");
        using var server = TestPki.Issue(_ca, "server", server: true);
        using var client = TestPki.Issue(_ca, "client", server: false);
        using var rogue = TestPki.Issue(rogueCa, "rogue", server: false);
        _pki.WriteCertificate(_ca, "ca.crt");
        _pki.WritePair(server, "server");
        _pki.WritePair(client, "client");
        _pki.WritePair(rogue, "rogue");
    }

    [TearDown]
    public void DeleteCertificates()
    {
        _ca.Dispose();
        _pki.Dispose();
    }

    private async Task<(InProcessExporter Host, WebConfigWatcher Watcher)> StartAsync(string tlsExtra, string users = "")
    {
        File.WriteAllText(_pki.PathOf("web.yml"), $"""
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
            {tlsExtra}
            {users}
            """);
        var watcher = WebConfigWatcher.Load(_pki.PathOf("web.yml"), new CollectingLogger(), TimeProvider.System);
        return (await InProcessExporter.StartAsync(watcher), watcher);
    }

    private Task<Curl.Result> CurlAsync(InProcessExporter host, params string[] args) =>
        Curl.RunAsync([.. args, host.Url("/metrics")]);

    [Test]
    public async Task Https_with_the_ca_and_basic_auth_works()
    {
        var (host, _) = await StartAsync("", $"basic_auth_users:\n  alice: {Bcrypt.Hash("wonderland", 4)}");
        await using var _ = host;

        var ok = await CurlAsync(host, "--cacert", _pki.PathOf("ca.crt"), "-u", "alice:wonderland");
        var noPassword = await CurlAsync(host, "--cacert", _pki.PathOf("ca.crt"));
        var wrongPassword = await CurlAsync(host, "--cacert", _pki.PathOf("ca.crt"), "-u", "alice:queen");

        Assert.That(host.Address.Scheme, Is.EqualTo("https"));
        Assert.That((ok.ExitCode, ok.Status), Is.EqualTo((0, 200)), ok.Error);
        Assert.That(ok.Body, Does.Contain("\ndatahub_exporter_build_info{"));
        Assert.That(noPassword.Status, Is.EqualTo(401));
        Assert.That(wrongPassword.Status, Is.EqualTo(401));
    }

    [Test]
    public async Task Server_certificate_is_not_trusted_without_the_ca()
    {
        var (host, _) = await StartAsync("");
        await using var _ = host;

        var result = await CurlAsync(host);

        // 60: peer certificate cannot be authenticated with known CA certificates.
        Assert.That(result.ExitCode, Is.EqualTo(60), result.Error);
    }

    [Test]
    public async Task Plain_http_to_the_tls_port_fails()
    {
        var (host, _) = await StartAsync("");
        await using var _ = host;

        var result = await Curl.RunAsync(host.Url("/metrics").Replace("https://", "http://"));

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(result.Status, Is.Not.EqualTo(200));
    }

    [TestCase("RequireAndVerifyClientCert", false, true, false, TestName = "Require_and_verify_accepts_only_a_client_certificate_from_the_ca")]
    [TestCase("VerifyClientCertIfGiven", true, true, false, TestName = "Verify_if_given_accepts_no_certificate_but_not_a_bad_one")]
    [TestCase("RequireAnyClientCert", false, true, true, TestName = "Require_any_accepts_an_unverified_certificate_but_not_none")]
    public async Task Client_certificate_modes(string mode, bool noneAccepted, bool fromCaAccepted, bool rogueAccepted)
    {
        // RequireAnyClientCert verifies nothing, so it takes no CA; the other two verify against ca.crt.
        var (host, _) = await StartAsync($"  client_auth_type: {mode}\n" + (mode == "RequireAnyClientCert" ? "" : "  client_ca_file: ca.crt"));
        await using var _ = host;
        var ca = _pki.PathOf("ca.crt");

        AssertOutcome(await CurlAsync(host, "--cacert", ca), noneAccepted, "no client certificate");
        AssertOutcome(await CurlAsync(host, "--cacert", ca, "--cert", _pki.PathOf("client.crt"), "--key", _pki.PathOf("client.key")), fromCaAccepted,
            "a client certificate from the CA");
        AssertOutcome(await CurlAsync(host, "--cacert", ca, "--cert", _pki.PathOf("rogue.crt"), "--key", _pki.PathOf("rogue.key")), rogueAccepted,
            "a client certificate from another CA");
    }

    [TestCase("min_version: TLS13", false, true, TestName = "Min_version_tls13_refuses_tls12_clients")]
    [TestCase("max_version: TLS12", true, false, TestName = "Max_version_tls12_refuses_tls13_only_clients")]
    public async Task Tls_version_bounds(string bound, bool tls12Accepted, bool tls13Accepted)
    {
        var (host, _) = await StartAsync("  " + bound);
        await using var _ = host;
        var ca = _pki.PathOf("ca.crt");

        AssertOutcome(await CurlAsync(host, "--cacert", ca, "--tls-max", "1.2"), tls12Accepted, "a TLS 1.2 client");
        AssertOutcome(await CurlAsync(host, "--cacert", ca, "--tlsv1.3"), tls13Accepted, "a TLS 1.3 only client");
    }

    /// <summary>Accepted: curl succeeded with 200. Refused: the handshake failed (curl's exit code is not 0).</summary>
    private static void AssertOutcome(Curl.Result result, bool accepted, string what)
    {
        if (accepted)
        {
            Assert.That((result.ExitCode, result.Status), Is.EqualTo((0, 200)), $"{what}: {result.Error}");
        }
        else
        {
            Assert.That(result.ExitCode, Is.Not.EqualTo(0), $"{what} was accepted");
        }
    }

    [Test]
    public async Task Replaced_certificate_is_used_for_new_connections_after_reload()
    {
        var (host, watcher) = await StartAsync("");
        await using var _ = host;
        using var newCa = TestPki.CreateCa("new ca");
        using var newServer = TestPki.Issue(newCa, "new server", server: true);
        _pki.WriteCertificate(newCa, "new-ca.crt");

        var before = await CurlAsync(host, "--cacert", _pki.PathOf("ca.crt"));
        _pki.WritePair(newServer, "server");
        var reloaded = watcher.ReloadIfChanged();
        var oldCa = await CurlAsync(host, "--cacert", _pki.PathOf("ca.crt"));
        var newCaResult = await CurlAsync(host, "--cacert", _pki.PathOf("new-ca.crt"));

        Assert.That((before.ExitCode, before.Status), Is.EqualTo((0, 200)), before.Error);
        Assert.That(reloaded, Is.True);
        Assert.That(oldCa.ExitCode, Is.EqualTo(60), oldCa.Error);
        Assert.That((newCaResult.ExitCode, newCaResult.Status), Is.EqualTo((0, 200)), newCaResult.Error);
    }
}
