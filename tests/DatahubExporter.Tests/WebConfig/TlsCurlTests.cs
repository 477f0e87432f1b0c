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
        _pki.WriteCertificate(server, "server.crt");
        _pki.WriteKey(server, "server.key");
        _pki.WriteCertificate(client, "client.crt");
        _pki.WriteKey(client, "client.key");
        _pki.WriteCertificate(rogue, "rogue.crt");
        _pki.WriteKey(rogue, "rogue.key");
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
        var watcher = WebConfigWatcher.Load(_pki.PathOf("web.yml"), new CollectingLogger());
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

    [Test]
    public async Task Require_and_verify_accepts_only_a_client_certificate_from_the_ca()
    {
        var (host, _) = await StartAsync("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt");
        await using var _ = host;
        var ca = _pki.PathOf("ca.crt");

        var withCert = await CurlAsync(host, "--cacert", ca, "--cert", _pki.PathOf("client.crt"), "--key", _pki.PathOf("client.key"));
        var withoutCert = await CurlAsync(host, "--cacert", ca);
        var rogueCert = await CurlAsync(host, "--cacert", ca, "--cert", _pki.PathOf("rogue.crt"), "--key", _pki.PathOf("rogue.key"));

        Assert.That((withCert.ExitCode, withCert.Status), Is.EqualTo((0, 200)), withCert.Error);
        Assert.That((withoutCert.ExitCode, withoutCert.Status), Is.Not.EqualTo((0, 200)));
        Assert.That(withoutCert.ExitCode, Is.Not.EqualTo(0));
        Assert.That(rogueCert.ExitCode, Is.Not.EqualTo(0));
    }

    [Test]
    public async Task Verify_if_given_accepts_no_certificate_but_not_a_bad_one()
    {
        var (host, _) = await StartAsync("  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt");
        await using var _ = host;
        var ca = _pki.PathOf("ca.crt");

        var withoutCert = await CurlAsync(host, "--cacert", ca);
        var withCert = await CurlAsync(host, "--cacert", ca, "--cert", _pki.PathOf("client.crt"), "--key", _pki.PathOf("client.key"));
        var rogueCert = await CurlAsync(host, "--cacert", ca, "--cert", _pki.PathOf("rogue.crt"), "--key", _pki.PathOf("rogue.key"));

        Assert.That((withoutCert.ExitCode, withoutCert.Status), Is.EqualTo((0, 200)), withoutCert.Error);
        Assert.That((withCert.ExitCode, withCert.Status), Is.EqualTo((0, 200)), withCert.Error);
        Assert.That(rogueCert.ExitCode, Is.Not.EqualTo(0));
    }

    [Test]
    public async Task Require_any_accepts_an_unverified_certificate_but_not_none()
    {
        var (host, _) = await StartAsync("  client_auth_type: RequireAnyClientCert");
        await using var _ = host;
        var ca = _pki.PathOf("ca.crt");

        var rogueCert = await CurlAsync(host, "--cacert", ca, "--cert", _pki.PathOf("rogue.crt"), "--key", _pki.PathOf("rogue.key"));
        var withoutCert = await CurlAsync(host, "--cacert", ca);

        Assert.That((rogueCert.ExitCode, rogueCert.Status), Is.EqualTo((0, 200)), rogueCert.Error);
        Assert.That(withoutCert.ExitCode, Is.Not.EqualTo(0));
    }

    [Test]
    public async Task Min_version_tls13_refuses_tls12_clients()
    {
        var (host, _) = await StartAsync("  min_version: TLS13");
        await using var _ = host;
        var ca = _pki.PathOf("ca.crt");

        var tls12 = await CurlAsync(host, "--cacert", ca, "--tls-max", "1.2");
        var tls13 = await CurlAsync(host, "--cacert", ca, "--tlsv1.3");

        Assert.That(tls12.ExitCode, Is.Not.EqualTo(0));
        Assert.That((tls13.ExitCode, tls13.Status), Is.EqualTo((0, 200)), tls13.Error);
    }

    [Test]
    public async Task Max_version_tls12_refuses_tls13_only_clients()
    {
        var (host, _) = await StartAsync("  max_version: TLS12");
        await using var _ = host;
        var ca = _pki.PathOf("ca.crt");

        var tls13 = await CurlAsync(host, "--cacert", ca, "--tlsv1.3");
        var tls12 = await CurlAsync(host, "--cacert", ca, "--tls-max", "1.2");

        Assert.That(tls13.ExitCode, Is.Not.EqualTo(0));
        Assert.That((tls12.ExitCode, tls12.Status), Is.EqualTo((0, 200)), tls12.Error);
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
        _pki.WriteCertificate(newServer, "server.crt");
        _pki.WriteKey(newServer, "server.key");
        var reloaded = watcher.ReloadIfChanged();
        var oldCa = await CurlAsync(host, "--cacert", _pki.PathOf("ca.crt"));
        var newCaResult = await CurlAsync(host, "--cacert", _pki.PathOf("new-ca.crt"));

        Assert.That((before.ExitCode, before.Status), Is.EqualTo((0, 200)), before.Error);
        Assert.That(reloaded, Is.True);
        Assert.That(oldCa.ExitCode, Is.EqualTo(60), oldCa.Error);
        Assert.That((newCaResult.ExitCode, newCaResult.Status), Is.EqualTo((0, 200)), newCaResult.Error);
    }
}
