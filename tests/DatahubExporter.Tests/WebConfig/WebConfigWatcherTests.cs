using System.Net;
using System.Text;
using DatahubExporter.Configuration;
using DatahubExporter.Http;
using DatahubExporter.WebConfig;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.Tests.WebConfig;

public sealed class WebConfigWatcherTests
{
    private TestPki _pki = null!;
    private string _file = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _pki = new TestPki();
        _file = _pki.PathOf("web.yml");
    }

    [TearDown]
    public void DeleteDirectory() => _pki.Dispose();

    private void WriteUsers(string password) =>
        File.WriteAllText(_file, $"basic_auth_users:\n  alice: {Bcrypt.Hash(password, 4)}\n");

    [Test]
    public async Task Changed_password_applies_after_reload()
    {
        WriteUsers("first");
        var watcher = WebConfigWatcher.Load(_file, new CollectingLogger(), TimeProvider.System);
        await using var host = await InProcessExporter.StartAsync(watcher);
        using var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(10) };

        var before = await StatusAsync(client, "first");
        WriteUsers("second");
        var reloaded = watcher.ReloadIfChanged();
        var oldPassword = await StatusAsync(client, "first");
        var newPassword = await StatusAsync(client, "second");

        Assert.That(before, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(reloaded, Is.True);
        Assert.That(oldPassword, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(newPassword, Is.EqualTo(HttpStatusCode.OK));
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + password)));
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Test]
    public void The_poll_looks_at_the_file_once_per_interval()
    {
        WriteUsers("first");
        var time = new FakeTimeProvider();
        var watcher = new WebConfigWatcher(WebConfigFile.Load(_file), new CollectingLogger(), time);
        using var poller = new DatahubExporter.Configuration.ReloadPoller(time, watcher.ReloadIfChanged);
        var first = watcher.Current;

        WriteUsers("second");
        time.Advance(ReloadableFile<object>.CheckInterval / 2);
        var early = watcher.Current;
        time.Advance(ReloadableFile<object>.CheckInterval / 2);
        var due = watcher.Current;

        Assert.That(early, Is.SameAs(first));
        Assert.That(due, Is.Not.SameAs(first));
        Assert.That(due.BasicAuthUsers["alice"], Is.Not.EqualTo(first.BasicAuthUsers["alice"]));
    }

    [Test]
    public void Unchanged_files_are_not_reloaded()
    {
        WriteUsers("first");
        var watcher = WebConfigWatcher.Load(_file, new CollectingLogger(), TimeProvider.System);
        var first = watcher.Current;

        Assert.That(watcher.ReloadIfChanged(), Is.False);
        Assert.That(watcher.Current, Is.SameAs(first));
    }

    [Test]
    public void Bad_new_file_keeps_the_old_config_and_logs_once()
    {
        WriteUsers("first");
        var logger = new CollectingLogger();
        var watcher = WebConfigWatcher.Load(_file, logger, TimeProvider.System);
        var first = watcher.Current;

        File.WriteAllText(_file, "basic_auth_users:\n  alice: $2y$10$notahash\n");
        var reloaded = watcher.ReloadIfChanged();
        var again = watcher.ReloadIfChanged();

        Assert.That(reloaded, Is.False);
        Assert.That(again, Is.False);
        Assert.That(watcher.Current, Is.SameAs(first));
        Assert.That(logger.Entries, Is.EqualTo(new[]
        {
            (LogLevel.Error, $"web config reload failed, keeping the previous web config err=web config {_file}:2: basic_auth_users.alice: not a bcrypt hash (want $2a$, $2b$ or $2y$, a cost from 04 to 31 and 53 more characters)"),
        }));
    }

    [Test]
    public void Fixed_file_is_taken_after_a_bad_one()
    {
        WriteUsers("first");
        var logger = new CollectingLogger();
        var watcher = WebConfigWatcher.Load(_file, logger, TimeProvider.System);

        File.WriteAllText(_file, "basic_auth_users: [\n");
        watcher.ReloadIfChanged();
        WriteUsers("second");
        var reloaded = watcher.ReloadIfChanged();

        Assert.That(reloaded, Is.True);
        Assert.That(logger.Entries.Select(e => e.Level), Is.EqualTo(new[] { LogLevel.Error, LogLevel.Information }));
    }

    [Test]
    public void Switching_tls_on_needs_a_restart()
    {
        WriteUsers("first");
        var logger = new CollectingLogger();
        var watcher = WebConfigWatcher.Load(_file, logger, TimeProvider.System);
        using var ca = TestPki.CreateCa("ca");
        using var server = TestPki.Issue(ca, "server", server: true);
        _pki.WritePair(server, "server");

        File.WriteAllText(_file, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
        var reloaded = watcher.ReloadIfChanged();

        Assert.That(reloaded, Is.False);
        Assert.That(watcher.Current.Tls, Is.Null);
        Assert.That(logger.Entries.Single().Message, Does.EndWith($"web config {_file}: tls_server_config: switching TLS on needs a restart"));
    }

    [Test]
    public void Without_a_file_nothing_is_read()
    {
        var watcher = WebConfigWatcher.Load(null, new CollectingLogger(), TimeProvider.System);

        Assert.That(watcher.Current, Is.SameAs(WebConfigFile.Empty));
        Assert.That(watcher.ReloadIfChanged(), Is.False);
    }

    [TestCase("")]
    [TestCase("# basic auth removed for now\n")]
    [TestCase("basic_auth_users: {}\n")]
    [TestCase("basic_auth_users:\n")]
    public void A_file_that_would_drop_basic_auth_is_refused_and_the_old_users_stay(string content)
    {
        WriteUsers("first");
        var logger = new CollectingLogger();
        var watcher = WebConfigWatcher.Load(_file, logger, TimeProvider.System);
        var first = watcher.Current;

        File.WriteAllText(_file, content);
        var reloaded = watcher.ReloadIfChanged();

        Assert.That(reloaded, Is.False);
        Assert.That(watcher.Current, Is.SameAs(first));
        Assert.That(watcher.LastReloadSuccessful, Is.False);
        Assert.That(watcher.Reload(), Does.EndWith("basic_auth_users: the new file has no users, which would switch basic auth off; that needs a restart"));
        // One refusal for the change, one for SIGHUP: a signal always gets its answer in the log.
        Assert.That(logger.Entries.Select(e => e.Level), Is.EqualTo(new[] { LogLevel.Error, LogLevel.Error }));

        WriteUsers("second");
        Assert.That(watcher.Reload(), Is.Null, "a file with users again is taken");
        Assert.That(watcher.LastReloadSuccessful, Is.True);
    }

    [Test]
    public void Adding_basic_auth_to_a_file_without_users_is_taken()
    {
        File.WriteAllText(_file, "http_server_config:\n  http2: true\n");
        var watcher = WebConfigWatcher.Load(_file, new CollectingLogger(), TimeProvider.System);

        WriteUsers("first");

        Assert.That(watcher.ReloadIfChanged(), Is.True);
        Assert.That(watcher.Current.BasicAuthUsers.Keys, Is.EqualTo(new[] { "alice" }));
    }
}
