using System.Collections.Concurrent;
using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// SIGHUP against the real binary: credential rotation without a restart, and a broken file that keeps the old
/// configuration in force while <c>datahub_exporter_config_last_reload_successful</c> says so.
/// </summary>
public class ReloadTests : EndToEndFixture
{
    private const int SigHup = 1;
    private const string IdB = "AKIDe2eRotatedSecondKeyPairIdBBBB";
    private const string KeyB = "e2eRotatedSecretKeyBMustNeverLeak99";
    private ConcurrentDictionary<string, string> _keys = null!;
    private ExporterStack _stack = null!;

    [SetUp]
    public async Task StartAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("SIGHUP is a Unix signal");
        }

        // The simulator reads its key table on every request, so removing a pair takes effect at once.
        _keys = new ConcurrentDictionary<string, string>(StringComparer.Ordinal) { [SecretId] = SecretKey, [IdB] = KeyB };
        var options = SimulatorOptions(tasks: 150, resources: 30);
        options.Keys = _keys;
        _stack = await ExporterStack.StartAsync(options, flags: ["--log.level=debug"]);
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_stack is null)
        {
            return;
        }

        var stderr = await _stack.StopAsync("exporter logs across reloads");
        Assert.That(stderr, Does.Not.Contain(KeyB), "rotated key in the logs");
        Assert.That(stderr, Does.Not.Contain(IdB), "unmasked rotated id in the logs");
    }

    [Test]
    public async Task Rotating_the_key_pair_takes_effect_on_the_next_scrape()
    {
        await AssertAllRegionsSucceedAsync("before rotation");

        await RewriteConfigAsync($"[common]\nsecret_id = {IdB}\nsecret_key = {KeyB}\nregion = ap-guangzhou, ap-shanghai\nendpoint = {Endpoint}\n");
        await ReloadAsync("msg=\"configuration reloaded\"");
        Assert.That(_keys.TryRemove(SecretId, out _), Is.True);
        _stack.Simulator.State.ResetCounters();

        await AssertAllRegionsSucceedAsync("after rotation to key B with key A revoked");
        Assert.That(_stack.Simulator.State.ErrorCount(), Is.EqualTo(0), "no request was signed with the revoked key A");
        Assert.That(_stack.Simulator.State.RequestCount("DescribeDatahubTasks"), Is.GreaterThan(0));
        Assert.That(await ReloadGaugeAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_broken_file_keeps_the_old_configuration_until_it_is_fixed()
    {
        Assert.That(await ReloadGaugeAsync(), Is.EqualTo(1));
        var good = await File.ReadAllTextAsync(_stack.ConfigPath);

        // The broken line holds the secret key: the reload error must name the line, not echo it.
        await RewriteConfigAsync($"[common]\nsecret_id = {SecretId}\nsecret_key {SecretKey}\nregion = ap-guangzhou\n");
        await ReloadAsync("msg=\"configuration reload failed, keeping the previous configuration\"");
        var failure = _stack.Exporter.Stderr.Split('\n').Last(l => l.Contains("configuration reload failed", StringComparison.Ordinal));
        Assert.That(failure, Does.Contain(_stack.ConfigPath + ":3: syntax error"));
        Assert.That(await ReloadGaugeAsync(), Is.EqualTo(0));
        await AssertAllRegionsSucceedAsync("with the old configuration still in force");

        await RewriteConfigAsync(good);
        await ReloadAsync("msg=\"configuration reloaded\"");
        Assert.That(await ReloadGaugeAsync(), Is.EqualTo(1));
        await AssertAllRegionsSucceedAsync("after the fix");
    }

    [Test]
    public async Task A_deleted_file_on_reload_is_a_failed_reload_not_a_crash()
    {
        File.Delete(_stack.ConfigPath);
        await ReloadAsync("msg=\"configuration reload failed, keeping the previous configuration\"");
        Assert.That(await ReloadGaugeAsync(), Is.EqualTo(0));
        await AssertAllRegionsSucceedAsync("after the file vanished");
        Assert.That(_stack.Exporter.HasExited, Is.False);
    }

    [Test]
    public async Task A_fifo_at_the_config_path_is_a_refused_reload_and_later_reloads_still_work()
    {
        // Issue 8 row 8: opening a FIFO blocks until a writer comes, which used to hang this reload and every later one.
        var good = await File.ReadAllTextAsync(_stack.ConfigPath);
        File.Delete(_stack.ConfigPath);
        Mkfifo(_stack.ConfigPath);

        await ReloadAsync("msg=\"configuration reload failed, keeping the previous configuration\"");
        var failure = _stack.Exporter.Stderr.Split('\n').Last(l => l.Contains("configuration reload failed", StringComparison.Ordinal));
        Assert.That(failure, Does.Contain($"{_stack.ConfigPath}: is a FIFO (named pipe), not a regular file"));
        Assert.That(await ReloadGaugeAsync(), Is.EqualTo(0));
        await AssertAllRegionsSucceedAsync("with a FIFO where the file was");

        File.Delete(_stack.ConfigPath);
        await RewriteConfigAsync(good);
        await ReloadAsync("msg=\"configuration reloaded\"");
        Assert.That(await ReloadGaugeAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_reload_that_changes_regions_changes_the_scrape()
    {
        await RewriteConfigAsync($"[common]\nsecret_id = {SecretId}\nsecret_key = {SecretKey}\nregion = ap-beijing\nendpoint = {Endpoint}\n");
        await ReloadAsync("msg=\"configuration reloaded\"");
        var samples = ExpositionParser.Parse(await _stack.GetAsync(TasksPath, scrapeTimeout: 15));
        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s["region"]), Is.EqualTo(new[] { "ap-beijing" }));
    }

    private string Endpoint => _stack.Simulator.BaseAddress.GetLeftPart(UriPartial.Authority);

    private async Task RewriteConfigAsync(string content)
    {
        // Write beside and rename, as editors and config management do, so a reload never sees half a file.
        var temp = _stack.ConfigPath + ".tmp";
        await File.WriteAllTextAsync(temp, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, _stack.ConfigPath, overwrite: true);
    }

    /// <summary>Sends SIGHUP and waits (bounded) for one more log line containing <paramref name="logged"/>.</summary>
    private async Task ReloadAsync(string logged)
    {
        int Count() => _stack.Exporter.Stderr.Split('\n').Count(l => l.Contains(logged, StringComparison.Ordinal));
        var before = Count();
        _stack.Exporter.Signal(SigHup);
        await Eventually.HoldsAsync(() => Count() > before, $"\"{logged}\" is logged after SIGHUP");

        // At least one: the once-a-second check may have taken the edited file just before the signal did.
        Assert.That(Count(), Is.GreaterThan(before), $"no \"{logged}\" after SIGHUP; stderr:\n{_stack.Exporter.Stderr}");
    }

    private async Task<double> ReloadGaugeAsync()
    {
        var samples = ExpositionParser.Parse(await _stack.GetAsync("/metrics"));
        return samples.Single(s => s.Name == "datahub_exporter_config_last_reload_successful" && s["file"] == "config").Value;
    }

    private async Task AssertAllRegionsSucceedAsync(string when)
    {
        var samples = ExpositionParser.Parse(await _stack.GetAsync(TasksPath, scrapeTimeout: 15));
        var success = samples.Where(s => s.Name == "datahub_exporter_collect_success").ToList();
        Assert.That(success.Select(s => s["region"]), Is.EquivalentTo(Regions), when);
        Assert.That(success.Select(s => s.Value), Is.All.EqualTo(1), when);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(2 * 150), when);
    }
}
