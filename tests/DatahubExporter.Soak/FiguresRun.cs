using System.Diagnostics;
using System.Globalization;
using CkafkaSimulator;
using DatahubExporter.Tests.Support;

namespace DatahubExporter.Soak;

/// <summary>
/// Issue 7's figures, for one or two exporter binaries in one run (so the before/after columns share the
/// machine's mood): a 2,000-task scrape's managed allocation and time; a 10,000-task sweep behind a 20 req/s
/// API at 20 ms and at 200 ms latency against the rate-limit bound <c>floor((pages − 1) / rate) + latency</c>;
/// RSS idle, after one 10,000-task sweep, at peak under 50 concurrent scrapers, and 30 s after.
/// Prints a markdown table of values and after/before ratios.
/// </summary>
public sealed class FiguresRun(string current, string? baseline, TextWriter output)
{
    private const string TasksPath = "/api/v1/ckafka/datahub_tasks/metrics";
    private const string Region = "ap-guangzhou";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var columns = new List<(string Name, Dictionary<string, double> Values)>();
        if (baseline is not null)
        {
            columns.Add(("before", await MeasureAsync(baseline, cancellationToken).ConfigureAwait(false)));
        }

        columns.Add(("after", await MeasureAsync(current, cancellationToken).ConfigureAwait(false)));
        await output.WriteLineAsync("| figure | " + string.Join(" | ", columns.Select(c => c.Name)) + (columns.Count > 1 ? " | after/before |" : " |")).ConfigureAwait(false);
        await output.WriteLineAsync("|---|" + string.Concat(Enumerable.Repeat("---|", columns.Count + (columns.Count > 1 ? 1 : 0)))).ConfigureAwait(false);
        foreach (var key in columns[^1].Values.Keys)
        {
            var cells = columns.Select(c => c.Values.TryGetValue(key, out var v) ? v.ToString("0.###", CultureInfo.InvariantCulture) : "-").ToList();
            if (columns.Count > 1 && columns[0].Values.TryGetValue(key, out var before) && before != 0)
            {
                cells.Add((columns[1].Values[key] / before).ToString("0.00", CultureInfo.InvariantCulture));
            }

            await output.WriteLineAsync($"| {key} | {string.Join(" | ", cells)} |").ConfigureAwait(false);
        }

        return 0;
    }

    private async Task<Dictionary<string, double>> MeasureAsync(string binary, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, double>();
        await output.WriteLineAsync($"figures: measuring {binary}").ConfigureAwait(false);

        // 1. One 2,000-task scrape: managed allocation per scrape (the exporter's own counter) and wall time.
        await using (var run = await Rig.StartAsync(binary, 2000, ["--api.rate-limit", "0"], cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < 3; i++)
            {
                await run.ScrapeAsync(30, cancellationToken).ConfigureAwait(false);
            }

            const int Scrapes = 10;
            var metricsOnly = await run.AllocatedAsync(cancellationToken).ConfigureAwait(false);
            var before = await run.AllocatedAsync(cancellationToken).ConfigureAwait(false);
            var metricsCost = before - metricsOnly;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < Scrapes; i++)
            {
                await run.ScrapeAsync(30, cancellationToken).ConfigureAwait(false);
            }

            var elapsed = watch.Elapsed.TotalSeconds / Scrapes;
            var after = await run.AllocatedAsync(cancellationToken).ConfigureAwait(false);
            values["2,000-task scrape: MB allocated"] = (after - before - metricsCost) / Scrapes / 1e6;
            values["2,000-task scrape: seconds"] = elapsed;
        }

        if (Environment.GetEnvironmentVariable("FIGURES_ALLOCATION_ONLY") == "1")
        {
            // Only the 2,000-task scrape, for trying a change quickly.
            return values;
        }

        // 2. 10,000 tasks (100 pages) behind a 20 req/s API: default flags at 20 ms; --api.rate-limit 19 at 200 ms.
        foreach (var (latencyMs, flags, rate) in new[] { (20, Array.Empty<string>(), 20.0), (200, new[] { "--api.rate-limit", "19" }, 19.0) })
        {
            await using var run = await Rig.StartAsync(binary, 10_000, flags, cancellationToken).ConfigureAwait(false);
            run.Simulator.State.SetFault(Fault.RateLimit(20));
            run.Simulator.State.SetFault(Fault.Latency(TimeSpan.FromMilliseconds(latencyMs)));
            if (latencyMs == 20)
            {
                values["RSS idle, MB"] = run.RssMb();
            }

            var times = new List<double>();
            var collections = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                // Sweeps are seconds apart in real life: without a pause, a sweep's first page would wait for
                // the previous sweep's last window in the limiter (as it should), which is not the sweep's cost.
                await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken).ConfigureAwait(false);
                var watch = Stopwatch.StartNew();
                var body = await run.ScrapeAsync(60, cancellationToken).ConfigureAwait(false);
                times.Add(watch.Elapsed.TotalSeconds);
                var duration = body.Split('\n').First(l => l.StartsWith("datahub_exporter_collect_duration_seconds{", StringComparison.Ordinal));
                collections.Add(double.Parse(duration[(duration.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
                if (!body.Contains($"datahub_exporter_collect_success{{region=\"{Region}\",collector=\"datahub_tasks\"}} 1", StringComparison.Ordinal))
                {
                    await output.WriteLineAsync($"figures: a sweep at {latencyMs} ms failed").ConfigureAwait(false);
                }

                if (latencyMs == 20 && i == 0)
                {
                    values["RSS right after one 10,000-task sweep, MB"] = run.RssMb();
                }
            }

            if (latencyMs == 20)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                values["RSS 10 s after the 10,000-task sweeps, MB"] = run.RssMb();
            }

            const int Pages = 100;
            var bound = Math.Floor((Pages - 1) / rate) + latencyMs / 1000.0;
            times.Sort();
            collections.Sort();
            values[$"10,000-task sweep at {latencyMs} ms: collection, s (median of 3)"] = collections[1];
            values[$"  whole scrape at {latencyMs} ms incl. render and transfer, s"] = times[1];
            values[$"  its bound floor(99/{rate})+{latencyMs / 1000.0}, s"] = bound;
            values[$"  collection / bound at {latencyMs} ms"] = collections[1] / bound;
            values[$"  RequestLimitExceeded at {latencyMs} ms (3 sweeps)"] = run.Simulator.State.ErrorCount("RequestLimitExceeded");

            if (latencyMs == 20 && Environment.GetEnvironmentVariable("FIGURES_SWEEPS_ONLY") != "1")
            {
                // 50 concurrent scrapers for 20 s, RSS sampled every 100 ms; then 30 s of quiet.
                run.Simulator.State.ClearFaults();
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                var peak = 0.0;
                var scrapers = Enumerable.Range(0, 50).Select(async _ =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            await run.ScrapeAsync(30, stop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (stop.IsCancellationRequested)
                        {
                            return;
                        }
                    }
                }).ToList();
                while (!stop.IsCancellationRequested)
                {
                    peak = Math.Max(peak, run.RssMb());
                    await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                }

                await Task.WhenAll(scrapers).ConfigureAwait(false);
                values["RSS peak under 50 concurrent scrapers, MB"] = peak;
                await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                values["RSS 30 s after the scrapers stopped, MB"] = run.RssMb();
            }
        }

        return values;
    }

    /// <summary>A simulator with one region of <c>tasks</c> tasks and an exporter binary in front of it.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly TempDirectory _dir;
        private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(120) };

        private Rig(SimulatorServer simulator, ExporterProcess exporter, TempDirectory dir)
        {
            Simulator = simulator;
            Exporter = exporter;
            _dir = dir;
        }

        public SimulatorServer Simulator { get; }

        public ExporterProcess Exporter { get; }

        public static async Task<Rig> StartAsync(string binary, int tasks, string[] flags, CancellationToken cancellationToken)
        {
            var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
            {
                Keys = new Dictionary<string, string> { [SoakRun.SecretId] = SoakRun.SecretKey },
                Regions = [Region],
                DataSet = SimulatorDataSet.Generate(tasks, 10),
                RequestLogCapacity = 0,
            }, cancellationToken).ConfigureAwait(false);
            var dir = new TempDirectory("datahub-figures-");
            var conf = dir.PathOf("datahub_exporter.conf");
            await File.WriteAllTextAsync(conf, $"""
                [common]
                secret_id = {SoakRun.SecretId}
                secret_key = {SoakRun.SecretKey}
                region = {Region}
                endpoint = {simulator.BaseAddress.GetLeftPart(UriPartial.Authority)}

                """, cancellationToken).ConfigureAwait(false);
            var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0", .. flags],
                binary: binary).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            return new Rig(simulator, exporter, dir);
        }

        public async Task<string> ScrapeAsync(double timeoutSeconds, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Exporter.BaseAddress, TasksPath));
            request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", timeoutSeconds.ToString(CultureInfo.InvariantCulture));
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task<double> AllocatedAsync(CancellationToken cancellationToken)
        {
            var text = await _http.GetStringAsync(new Uri(Exporter.BaseAddress, "/metrics"), cancellationToken).ConfigureAwait(false);
            var line = text.Split('\n').First(l => l.StartsWith("dotnet_gc_allocated_bytes_total ", StringComparison.Ordinal));
            return double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
        }

        public double RssMb() => (ProcessMemory.ResidentBytes(Exporter.Pid) ?? 0) / 1e6;

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await Exporter.DisposeAsync().ConfigureAwait(false);
            await Simulator.DisposeAsync().ConfigureAwait(false);
            _dir.Dispose();
        }
    }
}
