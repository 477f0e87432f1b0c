using System.Security.Authentication;
using DatahubExporter.Http;
using DatahubExporter.WebConfig;

namespace DatahubExporter.Tests.WebConfig;

public sealed class WebConfigTests
{
    private TestPki _pki = null!;

    [OneTimeSetUp]
    public void CreateFiles()
    {
        _pki = new TestPki();
        using var ca = TestPki.CreateCa("test ca");
        using var server = TestPki.Issue(ca, "server", server: true);
        using var other = TestPki.Issue(ca, "other", server: true);
        _pki.WriteCertificate(ca, "ca.crt");
        _pki.WritePair(server, "server");
        _pki.WriteKey(other, "other.key");
        foreach (var file in Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "testdata", "webconfig")))
        {
            File.Copy(file, _pki.PathOf(Path.GetFileName(file)));
        }
    }

    [OneTimeTearDown]
    public void DeleteFiles() => _pki.Dispose();

    [TestCase("unknown_key.bad.yml", "{file}:1: tls_server_cnofig: unknown key")]
    [TestCase("unknown_tls_key.bad.yml", "{file}:3: tls_server_config.key_fil: unknown key")]
    [TestCase("bad_yaml.bad.yml", "{file}:3: invalid YAML: While scanning a plain scalar value, found invalid mapping.")]
    [TestCase("missing_cert_file.bad.yml", "{file}:2: tls_server_config.cert_file: file {dir}/nothing.crt not found")]
    [TestCase("missing_key_file.bad.yml", "{file}:3: tls_server_config.key_file: file {dir}/keys/nothing.key not found")]
    [TestCase("cert_key_mismatch.bad.yml", "{file}:3: tls_server_config.key_file: the private key does not match the certificate in cert_file")]
    [TestCase("cert_not_pem.bad.yml", "{file}:2: tls_server_config.cert_file: no PEM certificate found")]
    [TestCase("key_not_pem.bad.yml", "{file}:3: tls_server_config.key_file: no PEM private key found")]
    [TestCase("no_key.bad.yml", "{file}:2: tls_server_config: missing key_file (or key)")]
    [TestCase("cert_twice.bad.yml", "{file}:3: tls_server_config.cert: set cert or cert_file, not both")]
    [TestCase("bad_client_auth.bad.yml", "{file}:4: tls_server_config.client_auth_type: unknown value \"RequireSomeClientCert\"; want one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert")]
    [TestCase("verify_without_ca.bad.yml", "{file}:4: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file (or client_ca) to verify client certificates against")]
    [TestCase("ca_without_client_auth.bad.yml", "{file}:4: tls_server_config.client_ca_file: set client_auth_type too; with NoClientCert the CA is never used")]
    [TestCase("bad_min_version.bad.yml", "{file}:4: tls_server_config.min_version: unknown value \"TLS14\"; want one of TLS10, TLS11, TLS12, TLS13")]
    [TestCase("min_above_max.bad.yml", "{file}:4: tls_server_config.min_version: TLS13 is above max_version TLS12")]
    [TestCase("cipher_suites.bad.yml", "{file}:4: tls_server_config.cipher_suites: not supported by datahub_exporter; remove it")]
    [TestCase("empty_user.bad.yml", "{file}:2: basic_auth_users: empty user name")]
    [TestCase("colon_user.bad.yml", "{file}:2: basic_auth_users.al:ice: user names cannot contain ':'")]
    [TestCase("not_bcrypt.bad.yml", "{file}:2: basic_auth_users.alice: not a bcrypt hash (want $2a$, $2b$ or $2y$, a cost from 04 to 31 and 53 more characters)")]
    [TestCase("missing_hash.bad.yml", "{file}:2: basic_auth_users.alice: missing bcrypt password hash")]
    [TestCase("users_list.bad.yml", "{file}:2: basic_auth_users: want a map of keys to values")]
    [TestCase("bad_header.bad.yml", "{file}:3: http_server_config.headers.X-Powered-By: this header cannot be set; allowed: Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy")]
    [TestCase("non_ascii_header.bad.yml", "{file}:3: http_server_config.headers.Content-Security-Policy: the value must be printable ASCII (no control or non-ASCII characters)")]
    [TestCase("cost_too_high.bad.yml", "{file}:2: basic_auth_users.prometheus: bcrypt cost 16 is too high to check per request (at most 15; 10 is usual)")]
    [TestCase("unicode_digits_cost.bad.yml", "{file}:2: basic_auth_users.prometheus: not a bcrypt hash (want $2a$, $2b$ or $2y$, a cost from 04 to 31 and 53 more characters)")]
    [TestCase("bad_frame_options.bad.yml", "{file}:3: http_server_config.headers.X-Frame-Options: \"allow\" is not allowed; want deny or sameorigin")]
    [TestCase("bad_http2.bad.yml", "{file}:2: http_server_config.http2: want true or false, not \"maybe\"")]
    [TestCase("rate_limit.bad.yml", "{file}:1: rate_limit: not supported by datahub_exporter; remove it")]
    [TestCase("not_a_map.bad.yml", "{file}:1: top level: want a map of keys to values")]
    [TestCase("duplicate_key.bad.yml", "{file}:3: invalid YAML: Duplicate key basic_auth_users")]
    public void Bad_file_throws_one_line_naming_file_and_key(string name, string expected)
    {
        var file = _pki.PathOf(name);
        var error = Assert.Throws<WebConfigException>(() => WebConfigFile.Load(file));
        Assert.That(error!.Message, Is.EqualTo("web config " + expected.Replace("{file}", file).Replace("{dir}", _pki.Directory)));
    }

    [Test]
    public void Missing_file_throws()
    {
        var file = _pki.PathOf("absent.yml");
        var error = Assert.Throws<WebConfigException>(() => WebConfigFile.Load(file));
        Assert.That(error!.Message, Is.EqualTo($"web config {file}: file not found"));
    }

    [Test]
    public void Error_never_echoes_a_password_hash()
    {
        var file = _pki.PathOf("not_bcrypt.bad.yml");
        var error = Assert.Throws<WebConfigException>(() => WebConfigFile.Load(file));
        Assert.That(error!.Message, Does.Not.Contain("saltsalt"));
    }

    [Test]
    public void Good_file_loads_every_setting()
    {
        var config = WebConfigFile.Load(_pki.PathOf("good.yml"));

        Assert.That(config.Path, Is.EqualTo(_pki.PathOf("good.yml")));
        Assert.That(config.Tls, Is.Not.Null);
        Assert.That(config.Tls!.Certificate.Subject, Is.EqualTo("CN=server"));
        Assert.That(config.Tls.Certificate.HasPrivateKey, Is.True);
        Assert.That(config.Tls.ClientAuthType, Is.EqualTo(WebClientAuthType.RequireAndVerifyClientCert));
        Assert.That(config.Tls.ClientCertificateAuthorities.Single().Subject, Is.EqualTo("CN=test ca"));
        Assert.That(config.Tls.Protocols, Is.EqualTo(SslProtocols.Tls13));
        Assert.That(config.Http2, Is.False);
        Assert.That(config.Headers, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["X-Frame-Options"] = "deny",
            ["X-Content-Type-Options"] = "nosniff",
        }));
        Assert.That(config.BasicAuthUsers.Keys, Is.EquivalentTo(new[] { "alice", "bob" }));
        Assert.That(config.UnknownUserHash, Does.StartWith("$2b$05$"));
        Assert.That(config.Files, Is.EqualTo(new[] { _pki.PathOf("good.yml"), _pki.PathOf("server.crt"), _pki.PathOf("server.key"), _pki.PathOf("ca.crt") }));
    }

    [Test]
    public void Empty_file_means_plain_http_without_auth()
    {
        var config = WebConfigFile.Load(_pki.PathOf("empty.yml"));

        Assert.That(config.Tls, Is.Null);
        Assert.That(config.BasicAuthUsers, Is.Empty);
        Assert.That(config.Http2, Is.True);
    }

    [Test]
    public void Inline_cert_and_key_load()
    {
        var file = _pki.PathOf("inline.yml");
        var cert = File.ReadAllText(_pki.PathOf("server.crt"));
        var key = File.ReadAllText(_pki.PathOf("server.key"));
        File.WriteAllText(file, $"tls_server_config:\n  cert: |\n{Indent(cert)}  key: |\n{Indent(key)}");

        var config = WebConfigFile.Load(file);

        Assert.That(config.Tls!.Certificate.Subject, Is.EqualTo("CN=server"));
        Assert.That(config.Tls.Protocols, Is.EqualTo(SslProtocols.Tls12 | SslProtocols.Tls13));
        Assert.That(config.Files, Is.EqualTo(new[] { file }));
    }

    private static string Indent(string pem) =>
        string.Concat(pem.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => "    " + line + "\n"));
}
