using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DatahubExporter.Http;
using DatahubExporter.WebConfig;

namespace DatahubExporter.Tests.WebConfig;

/// <summary>The basic-auth middleware over plain HTTP on a real loopback Kestrel.</summary>
public sealed class BasicAuthMiddlewareTests
{
    private TestPki _pki = null!;
    private InProcessExporter _host = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pki = new TestPki();
        File.WriteAllText(_pki.PathOf("web.yml"), $"""
            http_server_config:
              headers:
                X-Content-Type-Options: nosniff
            basic_auth_users:
              alice: {Bcrypt.Hash("wonderland", 4)}
              bob: {Bcrypt.Hash("builder", 4)}
            """);
        var watcher = WebConfigWatcher.Load(_pki.PathOf("web.yml"), new CollectingLogger(), TimeProvider.System);
        _host = await InProcessExporter.StartAsync(watcher);
        _client = new HttpClient { BaseAddress = _host.Address, Timeout = TimeSpan.FromSeconds(10) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        _pki.Dispose();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await _client.SendAsync(request);
    }

    private static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [TestCase("alice", "wonderland")]
    [TestCase("bob", "builder")]
    public async Task Valid_credentials_pass(string user, string password)
    {
        using var response = await GetAsync("/metrics", Basic(user, password));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\ndatahub_exporter_build_info{"));
    }

    [Test]
    public async Task Repeated_scrapes_are_answered_from_the_cache()
    {
        // Two successes with the same credentials; the second must still be right (served from the cache).
        using var first = await GetAsync("/metrics", Basic("alice", "wonderland"));
        using var second = await GetAsync("/metrics", Basic("alice", "wonderland"));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase(null)]
    [TestCase("Basic")]
    [TestCase("Basic !!!")]
    [TestCase("Basic /w==")]
    [TestCase("Basic YWxpY2U=")]
    [TestCase("Bearer abc")]
    [TestCase("Digest username=\"alice\"")]
    public async Task Missing_or_malformed_credentials_get_401_with_challenge(string? authorization)
    {
        using var response = await GetAsync("/metrics", authorization);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"datahub_exporter\""));
    }

    [Test]
    public async Task Unknown_user_and_wrong_password_get_the_same_answer()
    {
        using var unknown = await GetAsync("/metrics", Basic("mallory", "wonderland"));
        using var wrong = await GetAsync("/metrics", Basic("alice", "looking-glass"));
        using var swapped = await GetAsync("/metrics", Basic("alice", "builder"));

        foreach (var response in new[] { unknown, wrong, swapped })
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo(WebSecurity.Challenge));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Unauthorized\n"));
        }
    }

    [Test]
    public async Task Healthy_needs_no_credentials()
    {
        using var response = await GetAsync("/-/healthy", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("/-/HEALTHY")]
    [TestCase("/-/healthy/")]
    [TestCase("/-/healthy/../../metrics")]
    [TestCase("/nonexistent")]
    [TestCase("/status")]
    public async Task Other_paths_need_credentials(string path)
    {
        using var response = await GetAsync(path, null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Configured_headers_are_sent_on_401_and_200()
    {
        using var denied = await GetAsync("/metrics", null);
        using var allowed = await GetAsync("/metrics", Basic("bob", "builder"));

        Assert.That(denied.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
        Assert.That(allowed.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
    }

    [Test]
    public async Task Without_users_everything_is_open()
    {
        var watcher = new WebConfigWatcher(WebConfigFile.Empty, new CollectingLogger(), TimeProvider.System);
        await using var host = await InProcessExporter.StartAsync(watcher);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync(host.Url("/metrics"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.WwwAuthenticate, Is.Empty);
    }
}
