using CkafkaSimulator;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// The real binary with role credentials (issue 10): no keys in the file or environment, temporary keys from
/// loopback fakes of the CVM metadata service and STS, issued and checked by the simulator. What
/// <c>--config.check</c> and <c>--once</c> alone do with them is in-process, in <c>Cli/RoleCredentialsCliTests</c>.
/// </summary>
public class RoleCredentialsTests : EndToEndFixture
{
    private ExporterStack _stack = null!;
    private string _home = null!;
    private FakeMetadataService _metadata = null!;
    private FakeStsService _sts = null!;
    private TimeSpan _lifetime = TimeSpan.FromMinutes(10);
    private readonly List<ExporterProcess> _exporters = [];

    [SetUp]
    public async Task StartAsync()
    {
        _stack = await ExporterStack.StartAsync(SimulatorOptions(tasks: 40, resources: 10), startExporter: false);
        _home = Path.Combine(_stack.Dir, "home");
        Directory.CreateDirectory(_home);
        _metadata = await FakeMetadataService.StartAsync(() => _stack.Simulator.State.IssueTemporaryKey(_lifetime));
        _sts = await FakeStsService.StartAsync(() => _stack.Simulator.State.IssueTemporaryKey(_lifetime));
        // The original's keys are simply absent: region and endpoint only.
        File.WriteAllText(_stack.ConfigPath,
            $"[common]\nregion = ap-guangzhou, ap-shanghai\nendpoint = {_stack.Simulator.BaseAddress.GetLeftPart(UriPartial.Authority)}\n");
    }

    [TearDown]
    public async Task StopAsync()
    {
        var output = string.Concat(_exporters.Select(e => e.Stdout + e.Stderr));
        foreach (var exporter in _exporters)
        {
            await exporter.DisposeAsync();
        }

        await _metadata.DisposeAsync();
        await _sts.DisposeAsync();
        // The exporters are this class's own (above); the stack only lends its simulator and folder.
        await _stack.DisposeAsync();

        foreach (var key in _metadata.Issued)
        {
            Assert.That(output, Does.Not.Contain(key.SecretKey).And.Not.Contain(key.Token).And.Not.Contain(key.SecretId), "a temporary secret in the output");
        }

        AssertNoSecrets(output, "exporter output");
        AssertNoStackTrace(output, "exporter output");
        Assert.That(_metadata.Surprises.Concat(_sts.Surprises), Is.Empty, "the fakes saw requests they did not expect");
    }

    private Dictionary<string, string> CvmEnv() => new()
    {
        ["HOME"] = _home,
        ["DATAHUB_EXPORTER_METADATA_URL"] = _metadata.BaseAddress.ToString(),
    };

    private Dictionary<string, string> OidcEnv(string tokenFile) => new(CvmEnv())
    {
        ["TKE_REGION"] = _sts.ExpectedRegion,
        ["TKE_PROVIDER_ID"] = _sts.ExpectedProviderId,
        ["TKE_ROLE_ARN"] = _sts.ExpectedRoleArn,
        ["TKE_WEB_IDENTITY_TOKEN_FILE"] = tokenFile,
        ["DATAHUB_EXPORTER_STS_ENDPOINT"] = _sts.BaseAddress.ToString(),
    };

    private async Task<ExporterProcess> StartServerAsync(Dictionary<string, string> env)
    {
        var exporter = await ExporterProcess.StartServerAsync(["--conf", _stack.ConfigPath, "--web.listen-address=127.0.0.1:0"], env);
        _exporters.Add(exporter);
        return exporter;
    }

    private async Task<IReadOnlyList<ExpositionParser.ParsedSample>> ScrapeAsync(ExporterProcess exporter, string path) =>
        ExpositionParser.Parse(await GetAsync(_stack.Http, exporter.BaseAddress, path, scrapeTimeout: 15));

    private static double[] Successes(IReadOnlyList<ExpositionParser.ParsedSample> samples) =>
        samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value).ToArray();

    private string WriteToken(string token)
    {
        var path = Path.Combine(_stack.Dir, "web-identity-token");
        File.WriteAllText(path + ".tmp", token);
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    /// <summary>The long test of this suite (half a minute): keys live 12 s and stop working at expiry, so they are
    /// refreshed (after two thirds of their life, 8 s) three times while scrapes run every 1.5 s.</summary>
    [Test]
    [Category("Long")]
    [CancelAfter(180_000)]
    public async Task Long_half_a_minute_of_scrapes_on_12_second_cvm_role_keys_all_succeed()
    {
        _lifetime = TimeSpan.FromSeconds(12);
        var exporter = await StartServerAsync(CvmEnv());
        Assert.That(exporter.Stderr, Does.Contain("credential_source=cvm_role"));

        // Scrape every 1.5 s, each checked, until the fourth key is out: by then the first two have expired while in use
        // elsewhere (refreshed after two thirds of 12 s), so the scrapes spanned expiries. Bounded in time and count.
        var scrapes = 0;
        await Eventually.HoldsAsync(async () =>
        {
            var samples = await ScrapeAsync(exporter, scrapes % 2 == 0 ? TasksPath : ResourcesPath);
            scrapes++;
            Assert.That(Successes(samples), Is.EqualTo(new[] { 1.0, 1.0 }), $"scrape {scrapes}; stderr:\n{exporter.Stderr}");
            return _metadata.Issued.Count >= 4;
        }, "the metadata service has issued four keys", TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1.5));

        TestContext.Out.WriteLine($"{scrapes} scrapes, {_metadata.Issued.Count} keys issued, {_stack.Simulator.State.ErrorCount()} rejected");
        Assert.That(scrapes, Is.GreaterThanOrEqualTo(10), "several scrapes on each key");
        Assert.That(_stack.Simulator.State.ErrorCount(), Is.EqualTo(0), "refreshed ahead of expiry: no request was ever rejected");

        // Keys are refreshed every 8 s, so one may be handed out while /metrics is read and counted just after it:
        // compare on a scrape that no refresh overlapped (retried, bounded, until one did not).
        IReadOnlyList<ExpositionParser.ParsedSample> metrics = [];
        var issued = Array.Empty<TemporaryKey>();
        await Eventually.HoldsAsync(async () =>
        {
            var before = IssuedKeys();
            metrics = await ScrapeAsync(exporter, "/metrics");
            issued = IssuedKeys();
            // Settled: no key issued during the read, and the provider already holds the last one issued (the
            // metadata service hands a key out a moment before the provider takes and counts it). The count is
            // asserted below, not waited for, so a miscount fails as itself.
            var last = issued.Length == 0 ? (long?)null : issued[^1].ExpiresAt.ToUnixTimeSeconds();
            return before.Length == issued.Length &&
                   metrics.Any(s => s.Name == "datahub_exporter_credentials_expiry_timestamp_seconds" && s.Value == last);
        }, "a /metrics scrape between two refreshes, after the last key was taken", interval: TimeSpan.FromMilliseconds(200));
        var refreshes = metrics.Single(s => s.Name == "datahub_exporter_credentials_refresh_total" && s["source"] == "cvm_role" && s["result"] == "success");
        Assert.That(refreshes.Value, Is.EqualTo(issued.Length));
        var expiry = metrics.Single(s => s.Name == "datahub_exporter_credentials_expiry_timestamp_seconds");
        Assert.That(expiry["source"], Is.EqualTo("cvm_role"));
        Assert.That(expiry.Value, Is.EqualTo(issued[^1].ExpiresAt.ToUnixTimeSeconds()));
    }

    private TemporaryKey[] IssuedKeys()
    {
        lock (_metadata.Issued)
        {
            return [.. _metadata.Issued];
        }
    }

    [Test]
    public async Task Keys_revoked_before_expiry_are_renewed_and_the_scrape_still_succeeds()
    {
        var exporter = await StartServerAsync(CvmEnv());
        Assert.That(Successes(await ScrapeAsync(exporter, TasksPath)), Is.EqualTo(new[] { 1.0, 1.0 }));

        Assert.That(_stack.Simulator.State.RevokeTemporaryKey(_metadata.Issued[^1].SecretId), Is.True);

        Assert.That(Successes(await ScrapeAsync(exporter, TasksPath)), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That(_metadata.Issued, Has.Count.EqualTo(2), "both regions shared one refresh");
        Assert.That(exporter.Stderr, Does.Contain("level=info logger=credentials msg=\"credentials refreshed\" source=cvm_role detail=\"role=datahub-reader (discovered) metadata="));
    }

    [Test]
    public async Task With_tke_variables_set_oidc_is_used_although_a_cvm_role_answers()
    {
        _sts.ExpectedToken = "projected-sa-token-1";
        var exporter = await StartServerAsync(OidcEnv(WriteToken("projected-sa-token-1")));

        Assert.That(Successes(await ScrapeAsync(exporter, TasksPath)), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That(_sts.Requests, Is.EqualTo(1));
        Assert.That(_metadata.Requests, Is.EqualTo(0), "the node's role was never asked");
        Assert.That(exporter.Stderr, Does.Contain("credential_source=oidc"));
        var expiry = (await ScrapeAsync(exporter, "/metrics")).Single(s => s.Name == "datahub_exporter_credentials_expiry_timestamp_seconds");
        Assert.That(expiry["source"], Is.EqualTo("oidc"));
    }

    [Test]
    public async Task The_credential_families_on_metrics_pass_promtool()
    {
        if (!File.Exists(PrometheusTools.PromtoolPath))
        {
            PrometheusTools.Unavailable("promtool is not installed (set PROMETHEUS_BIN_DIR)");
        }

        var exporter = await StartServerAsync(CvmEnv());
        var text = await GetAsync(_stack.Http, exporter.BaseAddress, "/metrics");

        Assert.That(text, Does.Contain("# TYPE datahub_exporter_credentials_expiry_timestamp_seconds gauge"));
        Assert.That(text, Does.Contain("datahub_exporter_credentials_refresh_total{source=\"cvm_role\",result=\"failure\"} 0"));
        Assert.That(text, Does.Contain("datahub_exporter_credentials_refresh_total{source=\"cvm_role\",result=\"success\"} 1"));
        var lint = await PrometheusTools.RunPromtoolAsync(["check", "metrics"], stdin: text);
        Assert.That(lint.ExitCode, Is.EqualTo(0), lint.Output);
    }

    [Test]
    public async Task Sighup_rereads_the_rotated_web_identity_token()
    {
        _sts.ExpectedToken = "projected-sa-token-1";
        var exporter = await StartServerAsync(OidcEnv(WriteToken("projected-sa-token-1")));

        _sts.ExpectedToken = "projected-sa-token-2";
        WriteToken("projected-sa-token-2");
        exporter.Signal(1);
        await Eventually.HoldsAsync(() => exporter.Stderr.Contains("configuration reloaded"), "the reload is logged");
        Assert.That(exporter.Stderr, Does.Contain("msg=\"configuration reloaded\""));
        // The reload starts the new source in the background: its STS call may come after the log line.
        await Eventually.HoldsAsync(() => _sts.TokensSeen.Count >= 2, "the new source called STS");
        Assert.That(_sts.TokensSeen, Is.EqualTo(new[] { "projected-sa-token-1", "projected-sa-token-2" }));
        Assert.That(Successes(await ScrapeAsync(exporter, TasksPath)), Is.EqualTo(new[] { 1.0, 1.0 }));
    }

    [Test]
    public async Task Sighup_is_taken_while_the_metadata_service_holds_its_answer()
    {
        var exporter = await StartServerAsync(CvmEnv());
        var asked = _metadata.Requests;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _metadata.Held = held;
        try
        {
            exporter.Signal(1);
            // A reload that waited for the source would give up after the 2 s metadata timeout and refuse the file.
            await Eventually.HoldsAsync(() => exporter.Stderr.Contains("msg=\"configuration reloaded\""), "the reload was taken");
            await Eventually.HoldsAsync(() => _metadata.Requests > asked, "the new source was asked in the background");
            Assert.That(exporter.Stderr, Does.Not.Contain("configuration reload failed"));
        }
        finally
        {
            _metadata.Held = null;
            held.SetResult();
        }

        await Eventually.HoldsAsync(async () => Successes(await ScrapeAsync(exporter, TasksPath)).SequenceEqual([1.0, 1.0]),
            "the new source's keys are used", TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(500));
    }

    [Test]
    public async Task With_a_profile_file_neither_role_source_is_asked()
    {
        Directory.CreateDirectory(Path.Combine(_home, ".tencentcloud"));
        File.WriteAllText(Path.Combine(_home, ".tencentcloud", "credentials"), $"[default]\nsecret_id = {SecretId}\nsecret_key = {SecretKey}\n");
        _sts.ExpectedToken = "projected-sa-token-1";
        var env = OidcEnv(WriteToken("projected-sa-token-1"));

        var check = await ExporterProcess.RunAsync(["--conf", _stack.ConfigPath, "--config.check"], env);
        var exporter = await StartServerAsync(env);
        var samples = await ScrapeAsync(exporter, TasksPath);

        Assert.That(check.ExitCode, Is.EqualTo(0), check.Stderr);
        Assert.That(check.Stdout, Does.Contain($"credential_source=profile file={Path.Combine(_home, ".tencentcloud", "credentials")} secret_id=AKID…0001 "));
        Assert.That(Successes(samples), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That((_metadata.Requests, _sts.Requests), Is.EqualTo((0, 0)));
        AssertNoSecrets(check.Stdout + check.Stderr, "--config.check");
    }

    [Test]
    public async Task The_server_starts_without_credentials_and_collects_once_the_role_answers()
    {
        _metadata.Answer = FakeMetadataService.Behaviour.ServerError;
        var exporter = await StartServerAsync(CvmEnv());

        Assert.That(Successes(await ScrapeAsync(exporter, TasksPath)), Is.EqualTo(new[] { 0.0, 0.0 }));
        Assert.That(exporter.Stderr, Does.Contain("msg=\"no credentials yet, collections fail until the source answers\""));
        Assert.That(_stack.Simulator.State.RequestCount(), Is.EqualTo(0), "nothing unsigned was sent");

        _metadata.Answer = FakeMetadataService.Behaviour.Healthy;
        await Eventually.HoldsAsync(async () => Successes(await ScrapeAsync(exporter, TasksPath)).SequenceEqual([1.0, 1.0]),
            "the background retry picked the role up", TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(500));
        var failures = (await ScrapeAsync(exporter, "/metrics"))
            .Single(s => s.Name == "datahub_exporter_credentials_refresh_total" && s["result"] == "failure");
        Assert.That(failures.Value, Is.GreaterThanOrEqualTo(1));
    }
}
