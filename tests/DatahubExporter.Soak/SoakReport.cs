using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DatahubExporter.Soak;

/// <summary>
/// Everything a soak run measured, the invariants judged on it, and its two renderings: a markdown report for
/// stdout (tables ready for the README) and a JSON document with the same numbers.
/// </summary>
public sealed class SoakReport(SoakOptions options, int tasksPerRegion, int resourcesPerRegion)
{
    private const double MiB = 1024 * 1024;

    private readonly List<(string Name, bool Passed, string Detail)> _invariants = [];

    public long? RssStart { get; set; }
    public long? RssAfterWarmup { get; set; }
    public long? RssEnd { get; set; }
    public long? RssSettled { get; set; }
    public List<long> RssSamples { get; } = [];
    public double LoadSeconds { get; set; }
    public int ExitCode { get; set; }
    public long SecretHits { get; set; }
    public ScrapeStats Stats { get; set; } = new();
    public IReadOnlyList<WaveOutcome> Waves { get; set; } = [];
    public StderrAnalysis Stderr { get; set; } = StderrAnalysis.Analyze("");
    public IReadOnlyDictionary<(string Collector, string Region), int> ExpectedFailures { get; set; } = new Dictionary<(string, string), int>();
    public IReadOnlyDictionary<(string Collector, string Region), int> ObservedWaveFailures { get; set; } = new Dictionary<(string, string), int>();
    public Dictionary<(string Collector, string Region), long> ErrorGauges { get; } = [];
    public Dictionary<(string Collector, string Answer), long> ScrapesTotal { get; } = [];
    public Dictionary<(string Action, string Code), long> ExporterApiRequests { get; } = [];
    public Dictionary<string, long> SimulatorRequests { get; } = new(StringComparer.Ordinal);
    /// <summary>RequestLimitExceeded answers by action, the server's rate limit and injected errors together.</summary>
    public Dictionary<string, long> SimulatorRequestLimitAnswers { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests the server's rate limit alone rejected (all actions and regions).</summary>
    public long ServerRateLimited { get; set; }

    /// <summary>The first problems found in answers and waves, verbatim.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>True when every invariant judged by <see cref="Evaluate"/> held.</summary>
    public bool Passed => _invariants.Count > 0 && _invariants.All(i => i.Passed);

    public int FailedInvariants => _invariants.Count(i => !i.Passed);

    /// <summary>Judges the run-level invariants after every number is in; may be called again when a number changes.</summary>
    public void Evaluate()
    {
        _invariants.Clear();
        Judge("every scrape answered 200, complete, in time; no failed region without a fault", Stats.ProblemCount == 0 && Waves.All(w => w.Problems.Count == 0),
            $"{Stats.ProblemCount} problem(s) in answers and waves");
        Judge("at least one fault wave and one load scrape ran", Waves.Count > 0 && Stats.Latency(SoakRun.TasksPath).Count > 0, $"{Waves.Count} waves");
        foreach (var (collector, region) in ErrorRows())
        {
            var expected = ExpectedFailures.GetValueOrDefault((collector, region));
            var observed = ObservedWaveFailures.GetValueOrDefault((collector, region));
            var gauge = ErrorGauges.GetValueOrDefault((collector, region), -1);
            var logged = Stderr.CollectionFailedLines.GetValueOrDefault((collector, region));
            Judge($"error count exact for {collector} {region}", expected == observed && expected == gauge && expected == logged,
                $"expected {expected}, failed in wave answers {observed}, gauge {gauge}, log lines {logged}");
        }

        foreach (var path in new[] { SoakRun.TasksPath, SoakRun.ResourcesPath })
        {
            var collector = SoakRun.CollectorOf(path);
            var counted = ScrapesTotal.GetValueOrDefault((collector, "collected")) + ScrapesTotal.GetValueOrDefault((collector, "joined")) +
                          ScrapesTotal.GetValueOrDefault((collector, "cached"));
            Judge($"every {collector} scrape counted once by the exporter", counted == Stats.Sent(path),
                $"sent {Stats.Sent(path)}, exporter counted {counted}");
        }

        Judge("no crash, error-level, exception or unexpected failure line on stderr", Stderr.CrashLineCount == 0, $"{Stderr.CrashLineCount} line(s)");
        Judge("graceful exit on SIGTERM", ExitCode == 0, $"exit code {ExitCode}");
        Judge($"RSS at the end at most {options.MaxRssMb} MiB", RssEnd is { } end && end / MiB <= options.MaxRssMb, $"{Mb(RssEnd)} MiB");
        if (options.SettleSeconds > 0)
        {
            var limit = RssAfterWarmup is { } warm ? warm * (1 + options.SettleSlackPercent / 100) : 0;
            Judge($"RSS back near its steady level {options.SettleSeconds:0} s after the load (at most {options.SettleSlackPercent:0} % above after warm-up)",
                RssSettled is { } settled && settled <= limit, $"{Mb(RssSettled)} MiB, limit {Mb((long)limit)} MiB");
        }

        Judge("no secret in responses, logs or this report", SecretHits == 0, $"{SecretHits} occurrence(s)");
    }

    private void Judge(string name, bool passed, string detail) => _invariants.Add((name, passed, detail));

    private IEnumerable<(string Collector, string Region)> ErrorRows() =>
        from collector in new[] { "datahub_tasks", "connect_resources" }
        from region in SoakRun.Regions
        select (collector, region);

    private static string Mb(long? bytes) => bytes is { } b ? (b / MiB).ToString("F1", CultureInfo.InvariantCulture) : "n/a";

    private static string F(double value, string format = "F1") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Calls a full collection makes without retries: every region, every page of 100.</summary>
    private int NominalCalls(string path) =>
        SoakRun.Regions.Length * (int)Math.Ceiling((path == SoakRun.TasksPath ? tasksPerRegion : resourcesPerRegion) / 100.0);

    private static string ActionOf(string path) => path == SoakRun.TasksPath ? "DescribeDatahubTasks" : "DescribeConnectResources";

    public string Markdown()
    {
        var sb = new StringBuilder();
        var w = (string line) => sb.Append(line).Append('\n');
        w("");
        w("## Soak: datahub_exporter (Release binary) against the CKafka simulator");
        w("");
        w($"{options.Scrapers} concurrent scrapers for {F(LoadSeconds / 60, "F2")} min (think time 0–{options.ThinkMs} ms, " +
          $"X-Prometheus-Scrape-Timeout-Seconds {options.ScrapeTimeoutSeconds}); {SoakRun.Regions.Length} regions × {tasksPerRegion} tasks and " +
          $"{resourcesPerRegion} resources; server rate limit {options.ServerRateLimit}/s per action and region; {Waves.Count} fault waves, one every {options.WaveEverySeconds} s of load.");
        w("");
        w("### Scrapes answered");
        w("");
        w("| path | phase | HTTP status | scrapes |");
        w("|---|---|---:|---:|");
        foreach (var ((path, phase, status), count) in Stats.Answers.OrderBy(a => Array.IndexOf(SoakRun.Paths, a.Key.Path)).ThenBy(a => a.Key.Phase).ThenBy(a => a.Key.Status))
        {
            w($"| `{path}` | {phase} | {(status == 0 ? "no answer" : status.ToString(CultureInfo.InvariantCulture))} | {count} |");
        }

        w("");
        w("### Scrape latency under load (ms, load phase only)");
        w("");
        w("| path | scrapes | p50 | p99 | max |");
        w("|---|---:|---:|---:|---:|");
        foreach (var path in SoakRun.Paths)
        {
            var (count, p50, p99, max) = Stats.Latency(path);
            w($"| `{path}` | {count} | {F(p50)} | {F(p99)} | {F(max)} |");
        }

        w("");
        w("### Sharing: scrapes vs collections vs API calls");
        w("");
        w("| path | scrapes sent | collections (collected) | joined | cached | API calls received by the simulator | RequestLimitExceeded answers (injected included) | API attempts counted by the exporter | calls per full collection | calls if every scrape collected | saved by sharing |");
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var path in new[] { SoakRun.TasksPath, SoakRun.ResourcesPath })
        {
            var collector = SoakRun.CollectorOf(path);
            var action = ActionOf(path);
            var sent = Stats.Sent(path);
            var calls = SimulatorRequests.GetValueOrDefault(action);
            var unshared = sent * NominalCalls(path);
            var exporterCalls = ExporterApiRequests.Where(kv => kv.Key.Action == action).Sum(kv => kv.Value);
            w($"| `{path}` | {sent} | {ScrapesTotal.GetValueOrDefault((collector, "collected"))} | {ScrapesTotal.GetValueOrDefault((collector, "joined"))} | " +
              $"{ScrapesTotal.GetValueOrDefault((collector, "cached"))} | {calls} | {SimulatorRequestLimitAnswers.GetValueOrDefault(action)} | {exporterCalls} | {NominalCalls(path)} | {unshared} | " +
              $"{(unshared == 0 ? "n/a" : F(100.0 * (1 - (double)calls / unshared)) + " %")} |");
        }

        w("");
        w($"Requests rejected by the server's own rate limit ({options.ServerRateLimit}/s per action and region), all actions: {ServerRateLimited} " +
          "(the exporter's client-side limiter, 20/s with a 50 ms margin on each window by default, should keep this at or near 0; rejected requests are retried).");
        w("");
        w("### Error counts: expected from the fault schedule vs what the exporter reports");
        w("");
        w("| collector | region | failing waves (expected) | failed in the wave answers | exporter `*_error_count` at the end | \"collection failed\" log lines | exact |");
        w("|---|---|---:|---:|---:|---:|:---:|");
        foreach (var (collector, region) in ErrorRows())
        {
            var expected = ExpectedFailures.GetValueOrDefault((collector, region));
            var observed = ObservedWaveFailures.GetValueOrDefault((collector, region));
            var gauge = ErrorGauges.GetValueOrDefault((collector, region), -1);
            var logged = Stderr.CollectionFailedLines.GetValueOrDefault((collector, region));
            var exact = expected == observed && expected == gauge && expected == logged;
            w($"| {collector} | {region} | {expected} | {observed} | {gauge} | {logged} | {(exact ? "yes" : "**NO**")} |");
        }

        w("");
        w("### Fault waves");
        w("");
        w("| # | fault (one region, both actions) | region | schedule says | tasks path | resources path | ok |");
        w("|---:|---|---|---|---|---|:---:|");
        foreach (var wave in Waves)
        {
            string Outcome(string collector) => wave.Succeeded.TryGetValue(collector, out var ok) ? ok ? "succeeded" : "failed" : "no answer";
            w($"| {wave.Index} | {wave.Step} | {wave.Region} | {(wave.ExpectFailure ? "fail" : "succeed")} | {Outcome("datahub_tasks")} | " +
              $"{Outcome("connect_resources")} | {(wave.Problems.Count == 0 ? "yes" : "**NO**")} |");
        }

        w("");
        w("### Exporter process");
        w("");
        w($"| RSS at start | after warm-up | max during load | at the end of the load | {options.SettleSeconds:0} s later (one Prometheus scraping) | exit code on SIGTERM | stderr lines | warn lines | crash/unexpected lines |");
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        long? rssMax = RssSamples.Count == 0 ? null : RssSamples.Max();
        w($"| {Mb(RssStart)} MiB | {Mb(RssAfterWarmup)} MiB | {Mb(rssMax)} MiB | {Mb(RssEnd)} MiB | {Mb(RssSettled)} MiB | {ExitCode} | {Stderr.Lines} | {Stderr.WarnLines} | {Stderr.CrashLineCount} |");
        foreach (var line in Stderr.CrashLines)
        {
            w($"    {line}");
        }

        w("");
        w("### Invariants");
        w("");
        foreach (var (name, passed, detail) in _invariants)
        {
            w($"- {(passed ? "PASS" : "**FAIL**")} {name} — {detail}");
        }

        foreach (var problem in Problems.Take(30))
        {
            w($"- problem: {problem}");
        }

        w("");
        w("Method: faults are never switched while a scrape is in flight. Before each wave the scrapers are paused and drained " +
          "(so no collection is running), one fault is installed for one region, exactly one scrape per path is sent — each must " +
          "start exactly one collection (checked with `datahub_exporter_scrapes_total`) — then the fault is cleared and the scrapers resume. " +
          "Load phases run with only the server's rate limit, and every answer in them must report `collect_success 1` for every region with " +
          "every series present, so they add no failed collection. The expected error count of a path and region is therefore the number of " +
          "waves on that region whose fault the schedule marks as failing; it must equal the wave answers, the exporter's gauge and its " +
          "\"collection failed\" log lines exactly.");
        w("");
        return sb.ToString();
    }

    public string Json()
    {
        var root = new JsonObject
        {
            ["scrapers"] = options.Scrapers,
            ["load_seconds"] = Math.Round(LoadSeconds, 1),
            ["tasks_per_region"] = tasksPerRegion,
            ["resources_per_region"] = resourcesPerRegion,
            ["regions"] = new JsonArray(SoakRun.Regions.Select(r => (JsonNode)r).ToArray()),
            ["server_rate_limit_per_second"] = options.ServerRateLimit,
            ["scrape_timeout_seconds"] = options.ScrapeTimeoutSeconds,
            ["passed"] = Passed,
            ["server_rate_limit_rejections"] = ServerRateLimited,
            ["answers"] = new JsonArray(Stats.Answers.Select(a => (JsonNode)new JsonObject
            {
                ["path"] = a.Key.Path, ["phase"] = a.Key.Phase, ["status"] = a.Key.Status, ["count"] = a.Value,
            }).ToArray()),
            ["latency_ms"] = new JsonObject(SoakRun.Paths.Select(p =>
            {
                var (count, p50, p99, max) = Stats.Latency(p);
                return KeyValuePair.Create(p, (JsonNode?)new JsonObject { ["count"] = count, ["p50"] = Math.Round(p50, 2), ["p99"] = Math.Round(p99, 2), ["max"] = Math.Round(max, 2) });
            })),
            ["sharing"] = new JsonArray(new[] { SoakRun.TasksPath, SoakRun.ResourcesPath }.Select(path =>
            {
                var collector = SoakRun.CollectorOf(path);
                var action = ActionOf(path);
                return (JsonNode)new JsonObject
                {
                    ["path"] = path,
                    ["scrapes_sent"] = Stats.Sent(path),
                    ["collected"] = ScrapesTotal.GetValueOrDefault((collector, "collected")),
                    ["joined"] = ScrapesTotal.GetValueOrDefault((collector, "joined")),
                    ["cached"] = ScrapesTotal.GetValueOrDefault((collector, "cached")),
                    ["simulator_api_calls"] = SimulatorRequests.GetValueOrDefault(action),
                    ["simulator_request_limit_answers"] = SimulatorRequestLimitAnswers.GetValueOrDefault(action),
                    ["exporter_api_attempts"] = ExporterApiRequests.Where(kv => kv.Key.Action == action).Sum(kv => kv.Value),
                    ["calls_per_full_collection"] = NominalCalls(path),
                    ["calls_if_unshared"] = Stats.Sent(path) * NominalCalls(path),
                };
            }).ToArray()),
            ["error_counts"] = new JsonArray(ErrorRows().Select(k => (JsonNode)new JsonObject
            {
                ["collector"] = k.Collector,
                ["region"] = k.Region,
                ["expected"] = ExpectedFailures.GetValueOrDefault(k),
                ["failed_in_wave_answers"] = ObservedWaveFailures.GetValueOrDefault(k),
                ["exporter_gauge"] = ErrorGauges.GetValueOrDefault(k, -1),
                ["log_lines"] = Stderr.CollectionFailedLines.GetValueOrDefault(k),
            }).ToArray()),
            ["waves"] = new JsonArray(Waves.Select(wv => (JsonNode)new JsonObject
            {
                ["index"] = wv.Index,
                ["fault"] = wv.Step,
                ["region"] = wv.Region,
                ["expect_failure"] = wv.ExpectFailure,
                ["succeeded"] = new JsonObject(wv.Succeeded.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
                ["problems"] = new JsonArray(wv.Problems.Select(p => (JsonNode)p).ToArray()),
            }).ToArray()),
            ["rss_bytes"] = new JsonObject
            {
                ["start"] = RssStart, ["after_warmup"] = RssAfterWarmup, ["max"] = RssSamples.Count == 0 ? null : RssSamples.Max(), ["end"] = RssEnd, ["settled"] = RssSettled,
            },
            ["exit_code"] = ExitCode,
            ["stderr"] = new JsonObject
            {
                ["lines"] = Stderr.Lines, ["warn_lines"] = Stderr.WarnLines, ["crash_lines"] = Stderr.CrashLineCount,
                ["crash_examples"] = new JsonArray(Stderr.CrashLines.Select(l => (JsonNode)l).ToArray()),
            },
            ["secret_hits"] = SecretHits,
            ["invariants"] = new JsonArray(_invariants.Select(i => (JsonNode)new JsonObject { ["name"] = i.Name, ["passed"] = i.Passed, ["detail"] = i.Detail }).ToArray()),
            ["problems"] = new JsonArray(Problems.Select(p => (JsonNode)p).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
