using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Tests.WebConfig;
using DatahubExporter.WebConfig;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DatahubExporter.Tests.Configuration;

/// <summary>The INI file and the web config reload the same way (issue 11): on SIGHUP, changed or not, and when
/// they change (polled every second); a bad version keeps the old one; both show in one gauge.</summary>
public sealed class ReloadModelTests
{
    private const string Ini = "[common]\nsecret_id = AKIDreloadModel0001\nsecret_key = reload-model-key\nregion = {0}\n";

    private TempDirectory _temp = null!;
    private string _dir = null!;
    private string _ini = null!;
    private string _web = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void CreateFiles()
    {
        _temp = new TempDirectory("reload-model-");
        _dir = _temp.Path;
        _ini = Path.Combine(_dir, "datahub_exporter.conf");
        _web = Path.Combine(_dir, "web.yml");
        WriteIni("ap-guangzhou");
        WriteUsers("first");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void DeleteFiles() => _temp.Dispose();

    private void WriteIni(string region) => File.WriteAllText(_ini, string.Format(System.Globalization.CultureInfo.InvariantCulture, Ini, region));

    private void WriteUsers(string password) => File.WriteAllText(_web, $"basic_auth_users:\n  alice: {Bcrypt.Hash(password, 4)}\n");

    private ConfigHolder Config(CollectingLogger? logger = null, Action? loaded = null) => new(QuietChain.Load(_ini, _ => null), () =>
    {
        loaded?.Invoke();
        return QuietChain.Load(_ini, _ => null);
    }, logger ?? new CollectingLogger(), _time, (_, _) => { });

    private WebConfigWatcher WebConfig(CollectingLogger? logger = null) => new(WebConfigFile.Load(_web), logger ?? new CollectingLogger(), _time);

    private static Dictionary<string, (double Ok, double Loaded)> Gauge(ExporterServices services)
    {
        var families = services.ExporterFamilies().ToList();
        var ok = families.Single(f => f.Name == "datahub_exporter_config_last_reload_successful").Samples;
        var loaded = families.Single(f => f.Name == "datahub_exporter_config_last_reload_success_timestamp_seconds").Samples;
        return ok.ToDictionary(s => s.Labels.Single(l => l.Name == "file").Value,
            s => (s.Value, loaded.Single(l => l.Labels.SequenceEqual(s.Labels)).Value));
    }

    [Test]
    public void Both_files_changed_without_a_signal_are_taken_by_the_next_poll_and_shown_in_one_gauge()
    {
        var configLog = new CollectingLogger();
        var config = Config(configLog);
        var webLog = new CollectingLogger();
        var web = WebConfig(webLog);
        using var services = new ExporterServices(new ExporterOptions(), config, NullLoggerFactory.Instance, _time, webConfig: web);
        using var poller = new ReloadPoller(_time, config.ReloadIfChanged, web.ReloadIfChanged);
        var firstUsers = web.Current.BasicAuthUsers["alice"];

        WriteIni("ap-shanghai");
        WriteUsers("second");
        _time.Advance(ReloadableFile<object>.CheckInterval / 2);
        var early = (config.Current.Regions.Single(), web.Current.BasicAuthUsers["alice"]);
        _time.Advance(ReloadableFile<object>.CheckInterval / 2);

        Assert.That(early, Is.EqualTo(("ap-guangzhou", firstUsers)), "nothing is read before the interval");
        Assert.That(config.Current.Regions, Is.EqualTo(new[] { "ap-shanghai" }));
        Assert.That(web.Current.BasicAuthUsers["alice"], Is.Not.EqualTo(firstUsers));
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        Assert.That(Gauge(services), Is.EqualTo(new Dictionary<string, (double, double)> { ["config"] = (1, now), ["web_config"] = (1, now) }));
        Assert.That(configLog.Entries, Is.EqualTo(new[] { (LogLevel.Information, "configuration reloaded regions=ap-shanghai credential_source=static") }));
        Assert.That(webLog.Entries, Is.EqualTo(new[] { (LogLevel.Information, $"web config reloaded path={_web}") }));
    }

    [Test]
    public void Bad_versions_of_both_files_are_refused_the_same_way_and_shown_in_one_gauge()
    {
        var configLog = new CollectingLogger();
        var config = Config(configLog);
        var webLog = new CollectingLogger();
        var web = WebConfig(webLog);
        using var services = new ExporterServices(new ExporterOptions(), config, NullLoggerFactory.Instance, _time, webConfig: web);
        using var poller = new ReloadPoller(_time, config.ReloadIfChanged, web.ReloadIfChanged);
        var (firstConfig, firstWeb) = (config.Current, web.Current);
        var started = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

        File.WriteAllText(_ini, "[common]\nregion ap-guangzhou\n");
        File.WriteAllText(_web, "basic_auth_users: {}\n");
        _time.Advance(ReloadableFile<object>.CheckInterval * 3);

        Assert.That(config.Current, Is.SameAs(firstConfig));
        Assert.That(web.Current, Is.SameAs(firstWeb), "fail closed: the emptied user list is refused");
        // One line per change, in the same words for both files.
        Assert.That(configLog.Entries, Is.EqualTo(new[]
        {
            (LogLevel.Error, $"configuration reload failed, keeping the previous configuration err={_ini}:2: syntax error: expected \"[section]\" or \"key = value\""),
        }));
        Assert.That(webLog.Entries, Is.EqualTo(new[]
        {
            (LogLevel.Error, $"web config reload failed, keeping the previous web config err=web config {_web}: basic_auth_users: the new file has no users, which would switch basic auth off; that needs a restart"),
        }));
        Assert.That(Gauge(services), Is.EqualTo(new Dictionary<string, (double, double)> { ["config"] = (0, started), ["web_config"] = (0, started) }));
    }

    [Test]
    public void Unchanged_files_are_not_read_by_the_poll_but_are_on_sighup()
    {
        var loads = 0;
        var config = Config(loaded: () => loads++);
        var web = WebConfig();
        using var poller = new ReloadPoller(_time, config.ReloadIfChanged, web.ReloadIfChanged);
        var firstWeb = web.Current;

        _time.Advance(ReloadableFile<object>.CheckInterval * 3);
        var polled = (loads, web.Current);
        var configError = config.Reload();
        var webError = web.Reload();

        Assert.That(polled, Is.EqualTo((0, firstWeb)));
        Assert.That((configError, webError), Is.EqualTo(((string?)null, (string?)null)));
        Assert.That(loads, Is.EqualTo(1));
        Assert.That(web.Current, Is.Not.SameAs(firstWeb));
    }
}
