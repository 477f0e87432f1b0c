using DatahubExporter.Tests.Support;
using System.Diagnostics;
using CkafkaSimulator;

namespace DatahubExporter.Soak;

/// <summary>
/// One soak run. The method that makes the error counts exact: faults are never switched while scrapes are in
/// flight. Between load phases the fault driver closes the <see cref="ScrapeGate"/>, waits until every scrape
/// has been answered (so no collection is running in the exporter), switches one fault on for one region, sends
/// exactly one scrape per path — each starts exactly one collection, checked through the exporter's own
/// <c>datahub_exporter_scrapes_total</c> — clears the fault and reopens the gate. Load phases run with only the
/// server's rate limit installed, and every answer in them must report success for every region, so they add no
/// failed collection. Hence the expected error count of a (path, region) is the number of waves whose fault
/// the schedule marks as failing, and it is compared with the exporter's gauges, its "collection failed" log
/// lines and the waves' own answers.
/// </summary>
public sealed class SoakRun(SoakOptions options, TextWriter output)
{
    public const string TasksPath = "/api/v1/ckafka/datahub_tasks/metrics";
    public const string ResourcesPath = "/api/v1/ckafka/connect_resources/metrics";
    public const string MetricsPath = "/metrics";

    // Fake credentials, long and unusual enough that finding them anywhere means they leaked.
    internal const string SecretId = "AKIDsoakSecretIdMustBeMaskedEverywhere01";
    internal const string SecretKey = "soakSecretKeyMustNeverLeakAnywhere0123456789";
    internal const string Token = "soakTemporaryTokenMustNeverLeakEither42";

    internal static readonly string[] Regions = ["ap-guangzhou", "ap-shanghai"];
    internal static readonly string[] Paths = [TasksPath, ResourcesPath, MetricsPath];

    private readonly ScrapeStats _stats = new();
    private readonly List<WaveOutcome> _waves = [];
    private readonly Dictionary<(string Collector, string Region), int> _expectedFailures = [];
    private readonly Dictionary<(string Collector, string Region), int> _observedWaveFailures = [];
    private long _secretHits;
    private long _serverRateLimited;

    public async Task<int> RunAsync(CancellationToken interrupted)
    {
        var runTime = TimeSpan.FromMinutes(options.Minutes);
        // The last resort against a hang anywhere: everything is cancelled well after the planned end.
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        hardStop.CancelAfter(runTime + TimeSpan.FromMinutes(5));

        var dataSet = SimulatorDataSet.Generate(options.Tasks, options.Resources);
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = new Dictionary<string, string> { [SecretId] = SecretKey },
            RequiredToken = Token,
            Regions = Regions,
            DataSet = dataSet,
            RequestLogCapacity = 0,
        }, hardStop.Token).ConfigureAwait(false);
        InstallBackground(simulator);

        using var temp = new TempDirectory("datahub-soak-");
        try
        {
            var conf = WriteConfig(temp.Path, simulator.BaseAddress);
            await using var exporter = await ExporterProcess.StartServerAsync(
                ["--conf", conf, "--web.listen-address=127.0.0.1:0", "--log.level=info"], timeout: TimeSpan.FromSeconds(30), binary: options.ExporterPath).ConfigureAwait(false);
            using var client = new SoakClient(exporter.BaseAddress);
            var report = new SoakReport(options, dataSet.Tasks.Count, dataSet.Resources.Count)
            {
                RssStart = ProcessMemory.ResidentBytes(exporter.Pid),
            };
            output.WriteLine($"soak: exporter pid {exporter.Pid} at {exporter.BaseAddress}, simulator at {simulator.BaseAddress}, " +
                             $"{options.Scrapers} scrapers for {options.Minutes} min");

            foreach (var path in Paths)
            {
                Check(await client.GetAsync(path, options.ScrapeTimeoutSeconds, 0, hardStop.Token).ConfigureAwait(false), ScrapeStats.Warmup);
            }

            report.RssAfterWarmup = ProcessMemory.ResidentBytes(exporter.Pid);
            await RunLoadAsync(simulator, exporter, client, report, runTime, hardStop.Token).ConfigureAwait(false);
            await FinishAsync(simulator, exporter, client, report, hardStop.Token).ConfigureAwait(false);

            report.Problems.AddRange(_stats.Problems);
            report.Stats = _stats;
            report.Waves = _waves;
            report.ExpectedFailures = _expectedFailures;
            report.ObservedWaveFailures = _observedWaveFailures;
            report.SecretHits = _secretHits;
            report.Evaluate();
            var markdown = report.Markdown();
            var json = report.Json();
            _secretHits += CountSecrets(markdown) + CountSecrets(json);
            report.SecretHits = _secretHits;
            if (_secretHits > report.SecretHits)
            {
                report.SecretHits = _secretHits;
                report.Evaluate();
                markdown = report.Markdown();
                json = report.Json();
            }

            output.Write(markdown);
            var jsonPath = options.JsonPath ?? Path.Combine(Path.GetTempPath(), $"datahub_exporter-soak-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
            await File.WriteAllTextAsync(jsonPath, json, CancellationToken.None).ConfigureAwait(false);
            output.WriteLine($"JSON report: {jsonPath}");
            output.WriteLine(report.Passed ? "RESULT: PASS (every invariant held)" : $"RESULT: FAIL ({report.FailedInvariants} invariant(s) failed)");
            return report.Passed ? 0 : 1;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"soak: the run could not complete: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>Back to the server's rate limit alone, keeping count of what the limit rejected so far (clearing
    /// the faults would lose it).</summary>
    private void ResetFaults(SimulatorServer simulator)
    {
        _serverRateLimited += RateLimitRejections(simulator);
        simulator.State.ClearFaults();
        InstallBackground(simulator);
    }

    private static long RateLimitRejections(SimulatorServer simulator) =>
        simulator.State.Faults.Where(f => f.Fault.Kind == FaultKind.RateLimit).Sum(f => f.Applied);

    private void InstallBackground(SimulatorServer simulator) =>
        // Like Tencent: at most N requests per second per action and region, the rest RequestLimitExceeded.
        simulator.State.SetFault(Fault.RateLimit(options.ServerRateLimit));

    private static string WriteConfig(string dir, Uri endpoint)
    {
        var path = Path.Combine(dir, "datahub_exporter.conf");
        File.WriteAllText(path, $"""
            [common]
            secret_id = {SecretId}
            secret_key = {SecretKey}
            token = {Token}
            region = {string.Join(", ", Regions)}
            endpoint = {endpoint.GetLeftPart(UriPartial.Authority)}

            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private async Task RunLoadAsync(SimulatorServer simulator, ExporterProcess exporter, SoakClient client, SoakReport report, TimeSpan runTime,
        CancellationToken hardStop)
    {
        var gate = new ScrapeGate();
        var clock = Stopwatch.StartNew();
        using var samplerStop = new CancellationTokenSource();
        var sampler = SampleRssAsync(exporter.Pid, report, samplerStop.Token);
        var scrapers = Enumerable.Range(0, options.Scrapers)
            .Select(i => Task.Run(() => ScraperAsync(i, client, gate, clock, runTime, hardStop), hardStop))
            .ToArray();

        // Waves: bounded by count and by the clock; the last wave starts only when a whole load phase fits before it.
        var maxWaves = (int)(runTime.TotalSeconds / options.WaveEverySeconds) + 1;
        for (var wave = 0; wave < maxWaves; wave++)
        {
            await Task.Delay(TimeSpan.FromSeconds(options.WaveEverySeconds), hardStop).ConfigureAwait(false);
            if (clock.Elapsed >= runTime)
            {
                break;
            }

            await gate.PauseAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            try
            {
                await RunWaveAsync(wave, simulator, client, hardStop).ConfigureAwait(false);
            }
            finally
            {
                ResetFaults(simulator);
                gate.Resume();
            }
        }

        await Task.WhenAll(scrapers).WaitAsync(TimeSpan.FromSeconds(90), hardStop).ConfigureAwait(false);
        report.LoadSeconds = clock.Elapsed.TotalSeconds;
        await samplerStop.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
    }

    private async Task ScraperAsync(int index, SoakClient client, ScrapeGate gate, Stopwatch clock, TimeSpan runTime, CancellationToken hardStop)
    {
        var random = new Random(index);
        // Bounded in count as well as in time: even a zero think time cannot make this loop run away.
        var maxScrapes = (long)(runTime.TotalSeconds * 1000);
        for (long i = 0; i < maxScrapes && clock.Elapsed < runTime && !hardStop.IsCancellationRequested; i++)
        {
            try
            {
                await gate.EnterAsync(hardStop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            ScrapeResult result;
            try
            {
                var path = Paths[(index + i) % Paths.Length];
                result = await client.GetAsync(path, options.ScrapeTimeoutSeconds, (int)((index + i / Paths.Length) % 3), hardStop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                gate.Exit();
            }

            Check(result, ScrapeStats.Load);
            if (options.ThinkMs > 0)
            {
                try
                {
                    await Task.Delay(random.Next(0, options.ThinkMs + 1), hardStop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunWaveAsync(int index, SimulatorServer simulator, SoakClient client, CancellationToken hardStop)
    {
        var step = FaultStep.Schedule[index % FaultStep.Schedule.Count];
        var region = Regions[index % Regions.Length];
        var before = await ScrapeCountsAsync(client, hardStop).ConfigureAwait(false);
        simulator.State.SetFault(step.Fault, action: null, region: region, count: step.Count);
        var answers = await Task.WhenAll(
            client.GetAsync(TasksPath, step.TimeoutSeconds, index, hardStop),
            client.GetAsync(ResourcesPath, step.TimeoutSeconds, index + 1, hardStop)).ConfigureAwait(false);
        ResetFaults(simulator);
        var after = await ScrapeCountsAsync(client, hardStop).ConfigureAwait(false);

        var outcome = new WaveOutcome(index, step.Name, region, step.ExpectFailure);
        foreach (var answer in answers)
        {
            var collector = CollectorOf(answer.Path);
            var collected = after.GetValueOrDefault((collector, "collected")) - before.GetValueOrDefault((collector, "collected"));
            var joined = after.GetValueOrDefault((collector, "joined")) - before.GetValueOrDefault((collector, "joined"));
            if (collected != 1 || joined != 0)
            {
                outcome.Problems.Add($"{collector}: the wave scrape started {collected} collection(s) and joined {joined}; expected exactly one of its own");
            }

            if (step.ExpectFailure)
            {
                _expectedFailures[(collector, region)] = _expectedFailures.GetValueOrDefault((collector, region)) + 1;
            }

            var success = Check(answer, ScrapeStats.Wave);
            if (success is null)
            {
                outcome.Problems.Add($"{collector}: no usable answer (status {answer.Status}{(answer.Error is null ? "" : ", " + answer.Error)})");
                continue;
            }

            outcome.Succeeded[collector] = success[region];
            if (!success[region])
            {
                _observedWaveFailures[(collector, region)] = _observedWaveFailures.GetValueOrDefault((collector, region)) + 1;
            }

            if (success[region] == step.ExpectFailure)
            {
                outcome.Problems.Add($"{collector}: region {region} {(success[region] ? "succeeded" : "failed")} but the schedule says it must {(step.ExpectFailure ? "fail" : "succeed")}");
            }

            foreach (var other in Regions.Where(r => r != region && !success[r]))
            {
                outcome.Problems.Add($"{collector}: region {other} failed although the fault was only on {region}");
            }
        }

        foreach (var problem in outcome.Problems)
        {
            _stats.Problem($"wave {index} ({step.Name}, {region}): {problem}");
        }

        lock (_waves)
        {
            _waves.Add(outcome);
        }
    }

    private async Task<Dictionary<(string Collector, string Answer), long>> ScrapeCountsAsync(SoakClient client, CancellationToken hardStop)
    {
        var result = await client.GetAsync(MetricsPath, options.ScrapeTimeoutSeconds, 0, hardStop).ConfigureAwait(false);
        Check(result, ScrapeStats.Wave);
        if (result is not { Status: 200, Body: { } body })
        {
            throw new InvalidOperationException($"GET /metrics answered {result.Status} {result.Error}");
        }

        return ExpositionScan.Samples(body, "datahub_exporter_scrapes_total")
            .ToDictionary(s => (s.Labels["collector"], s.Labels["answer"]), s => (long)s.Value);
    }

    private async Task FinishAsync(SimulatorServer simulator, ExporterProcess exporter, SoakClient client, SoakReport report, CancellationToken hardStop)
    {
        // No fault but the rate limit: both paths must answer completely, and carry the error gauges to compare.
        foreach (var path in new[] { TasksPath, ResourcesPath })
        {
            var answer = await client.GetAsync(path, options.ScrapeTimeoutSeconds, 0, hardStop).ConfigureAwait(false);
            Check(answer, ScrapeStats.Final);
            var gauge = path == TasksPath ? "datahub_task_error_count" : "connect_resource_error_count";
            foreach (var (region, value) in answer.Body is null ? [] : ExpositionScan.ByLabel(answer.Body, gauge, "region"))
            {
                report.ErrorGauges[(CollectorOf(path), region)] = (long)value;
            }
        }

        var metrics = await client.GetAsync(MetricsPath, options.ScrapeTimeoutSeconds, 0, hardStop).ConfigureAwait(false);
        Check(metrics, ScrapeStats.Final);
        if (metrics.Body is { } body)
        {
            foreach (var (labels, value) in ExpositionScan.Samples(body, "datahub_exporter_scrapes_total"))
            {
                report.ScrapesTotal[(labels["collector"], labels["answer"])] = (long)value;
            }

            foreach (var (labels, value) in ExpositionScan.Samples(body, "datahub_exporter_api_requests_total"))
            {
                var key = (labels["action"], labels["code"]);
                report.ExporterApiRequests[key] = report.ExporterApiRequests.GetValueOrDefault(key) + (long)value;
            }
        }

        foreach (var action in new[] { "DescribeDatahubTasks", "DescribeConnectResources" })
        {
            report.SimulatorRequests[action] = simulator.State.RequestCount(action);
            report.SimulatorRequestLimitAnswers[action] = simulator.State.ErrorCount("RequestLimitExceeded", action);
        }

        report.ServerRateLimited = _serverRateLimited + RateLimitRejections(simulator);

        report.RssEnd = ProcessMemory.ResidentBytes(exporter.Pid);
        await SettleAsync(exporter, client, report, hardStop).ConfigureAwait(false);
        report.ExitCode = await exporter.StopAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        report.Stderr = StderrAnalysis.Analyze(exporter.Stderr);
        _secretHits += CountSecrets(exporter.Stderr) + CountSecrets(exporter.Stdout);
    }

    /// <summary>
    /// After the load, the exporter is scraped as one Prometheus would (both paths every 15 s) for
    /// <see cref="SoakOptions.SettleSeconds"/>, then its RSS is taken: memory must come back after a burst
    /// while scraping goes on, not only when the process is left alone. The answers are not judged here.
    /// </summary>
    private async Task SettleAsync(ExporterProcess exporter, SoakClient client, SoakReport report, CancellationToken hardStop)
    {
        if (options.SettleSeconds <= 0)
        {
            return;
        }

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(options.SettleSeconds);
        for (var round = 0; round < 1000 && DateTime.UtcNow < until; round++)
        {
            foreach (var path in new[] { TasksPath, ResourcesPath })
            {
                await client.GetAsync(path, options.ScrapeTimeoutSeconds, 0, hardStop).ConfigureAwait(false);
            }

            var left = until - DateTime.UtcNow;
            await Task.Delay(left < TimeSpan.FromSeconds(15) ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : TimeSpan.FromSeconds(15), hardStop).ConfigureAwait(false);
        }

        report.RssSettled = ProcessMemory.ResidentBytes(exporter.Pid);
    }

    private async Task SampleRssAsync(int pid, SoakReport report, CancellationToken stop)
    {
        // One sample every 2 s, bounded by the cancellation at the end of the load phase.
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (ProcessMemory.ResidentBytes(pid) is { } rss)
                {
                    lock (report.RssSamples)
                    {
                        report.RssSamples.Add(rss);
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(2), stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The load phase is over.
        }
    }

    /// <summary>
    /// Checks one answer against the invariants that hold in every phase (HTTP 200, no secret, every region
    /// present, successful regions complete). In the warm-up, load and final phases every region must also have
    /// succeeded; in a wave the caller judges the regions. Returns success by region for a scrape path, null for
    /// /metrics or an unusable answer.
    /// </summary>
    private Dictionary<string, bool>? Check(ScrapeResult result, string phase)
    {
        _stats.Record(result, phase);
        if (result.Status != 200 || result.Body is null)
        {
            _stats.Problem($"{phase} GET {result.Path}: status {result.Status} {result.Error}");
            return null;
        }

        if (result.Error is not null)
        {
            _stats.Problem($"{phase} GET {result.Path}: {result.Error}");
        }

        if (result.LatencyMs > options.ScrapeTimeoutSeconds * 1000 && phase != ScrapeStats.Wave)
        {
            _stats.Problem($"{phase} GET {result.Path}: answered after {result.LatencyMs:F0} ms, past the {options.ScrapeTimeoutSeconds} s timeout header");
        }

        var secrets = CountSecrets(result.Body);
        if (secrets > 0)
        {
            Interlocked.Add(ref _secretHits, secrets);
        }

        if (result.Path == MetricsPath)
        {
            return null;
        }

        var collector = CollectorOf(result.Path);
        Dictionary<string, bool> success;
        Dictionary<string, int> series;
        try
        {
            success = ExpositionScan.Samples(result.Body, "datahub_exporter_collect_success")
                .Where(s => s.Labels["collector"] == collector)
                .ToDictionary(s => s.Labels["region"], s => s.Value == 1, StringComparer.Ordinal);
            series = ExpositionScan.CountByRegion(result.Body, result.Path == TasksPath ? "datahub_task_status" : "connect_resource_status");
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or KeyNotFoundException)
        {
            // A malformed exposition is a finding to report, not a reason for the soak itself to crash.
            _stats.Problem($"{phase} GET {result.Path}: unreadable exposition ({e.GetType().Name}: {e.Message})");
            return null;
        }

        var expected = result.Path == TasksPath ? options.Tasks : options.Resources;
        foreach (var region in Regions)
        {
            if (!success.TryGetValue(region, out var ok))
            {
                _stats.Problem($"{phase} GET {result.Path}: no collect_success for region {region}");
                success[region] = false;
                continue;
            }

            var count = series.GetValueOrDefault(region);
            if (ok && count != expected)
            {
                _stats.Problem($"{phase} GET {result.Path}: region {region} reported success with {count} series, expected {expected}");
            }

            if (!ok && count != 0)
            {
                _stats.Problem($"{phase} GET {result.Path}: region {region} failed but still sent {count} series");
            }

            if (!ok && phase != ScrapeStats.Wave)
            {
                _stats.Problem($"{phase} GET {result.Path}: region {region} failed with no fault injected but the server's rate limit");
            }
        }

        return success;
    }

    internal static string CollectorOf(string path) => path == TasksPath ? "datahub_tasks" : "connect_resources";

    internal static long CountSecrets(string text)
    {
        long hits = 0;
        foreach (var secret in new[] { SecretKey, Token, SecretId })
        {
            for (var i = text.IndexOf(secret, StringComparison.Ordinal); i >= 0; i = text.IndexOf(secret, i + 1, StringComparison.Ordinal))
            {
                hits++;
            }
        }

        return hits;
    }
}
