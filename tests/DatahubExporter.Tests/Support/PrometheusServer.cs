using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// A real Prometheus server for tests, on a free loopback port with its own config and TSDB in a
/// <see cref="TempDirectory"/>, run by <see cref="ChildProcess.Start"/>. <see cref="StartAsync"/> returns once
/// <c>/-/ready</c> answers 200 (bounded); <see cref="DisposeAsync"/> kills the process tree and deletes the folder
/// (and <see cref="ChildProcess"/> kills any server a test forgot when the run exits). Servers share nothing, so tests
/// may run several at once: the port is probed and, when another process takes it before Prometheus binds it, another
/// is tried. Query methods may be called concurrently; every request has a timeout. Ignores (on CI: fails) the test
/// when the binary is missing.
/// </summary>
/// <example><code>
/// await using var prom = await PrometheusServer.StartAsync(configYaml, [rulesPath], ct);
/// await prom.WaitForAsync(async t => (await prom.QueryAsync("up == 1", t)).Count == 2, TimeSpan.FromSeconds(30), "both targets up", ct);
/// </code></example>
internal sealed class PrometheusServer : IAsyncDisposable
{
    /// <summary>Replaced in the config by this server's own <c>127.0.0.1:PORT</c>, so it can scrape itself.</summary>
    public const string SelfAddressPlaceholder = "__PROMETHEUS_ADDRESS__";

    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private const int MaxStartAttempts = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly ChildProcess _process;
    private readonly TempDirectory _directory;
    private readonly HttpClient _http;
    private int _disposed;
    private bool _stopped;

    private PrometheusServer(ChildProcess process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The temporary directory holding prometheus.yml, rules/ and data/.</summary>
    public string Directory => _directory.Path;

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>True once the process has ended; after <see cref="DisposeAsync"/>, whether it ended in time.</summary>
    public bool HasExited => Volatile.Read(ref _disposed) != 0 ? _stopped : _process.HasExited;

    /// <summary>Prometheus' own log (it writes to stderr), for assertion messages.</summary>
    public string Log => _process.Stderr + _process.Stdout;

    /// <summary>
    /// Writes <paramref name="configYaml"/> (with <see cref="SelfAddressPlaceholder"/> replaced) to a
    /// temporary directory, copies <paramref name="ruleFiles"/> beside it and lists them under
    /// <c>rule_files</c> (the config must then not have its own), starts Prometheus and waits until ready.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(
        string configYaml,
        IEnumerable<string>? ruleFiles = null,
        CancellationToken cancellationToken = default)
    {
        var binary = PrometheusTools.PrometheusPath;
        var rules = (ruleFiles ?? []).ToList();
        if (rules.Count > 0 && HasTopLevelKey(configYaml, "rule_files"))
        {
            throw new ArgumentException("pass rule files either in the config or as ruleFiles, not both", nameof(ruleFiles));
        }

        for (var attempt = 1; ; attempt++)
        {
            var directory = new TempDirectory("prometheus-test-");
            var port = FreeLoopbackPort();
            var config = configYaml.Replace(SelfAddressPlaceholder, $"127.0.0.1:{port}", StringComparison.Ordinal);
            if (rules.Count > 0)
            {
                System.IO.Directory.CreateDirectory(directory.PathOf("rules"));
                var listed = new StringBuilder("\nrule_files:\n");
                for (var i = 0; i < rules.Count; i++)
                {
                    // Numbered so two files of the same name from different folders cannot collide.
                    var name = $"{i}-{Path.GetFileName(rules[i])}";
                    File.Copy(rules[i], Path.Combine(directory.Path, "rules", name));
                    listed.Append("  - 'rules/").Append(name).Append("'\n");
                }

                config += listed.ToString();
            }

            await File.WriteAllTextAsync(directory.PathOf("prometheus.yml"), config, cancellationToken);
            var server = Launch(binary, directory, port);
            var ready = false;
            try
            {
                await server.WaitUntilReadyAsync(cancellationToken);
                ready = true;
                return server;
            }
            catch (PortTakenException) when (attempt < MaxStartAttempts)
            {
                // Another process grabbed the port between our probe and Prometheus' bind: try another.
            }
            finally
            {
                if (!ready)
                {
                    await server.DisposeAsync();
                }
            }
        }
    }

    /// <summary>
    /// Re-reads prometheus.yml and the rule files from <see cref="Directory"/> (POST /-/reload; the server
    /// runs with --web.enable-lifecycle). Throws when Prometheus rejects the new files.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfExited();
        using var response = await _http.PostAsync("-/reload", content: null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"Prometheus refused the reload: HTTP {(int)response.StatusCode}: {Truncate(body)}");
        }
    }

    /// <summary>Evaluates an instant query now; a scalar result comes back as one sample without labels.</summary>
    public async Task<IReadOnlyList<PrometheusSample>> QueryAsync(string promql, CancellationToken cancellationToken = default)
    {
        using var doc = await GetApiAsync("api/v1/query?query=" + Uri.EscapeDataString(promql), cancellationToken);
        var data = doc.RootElement.GetProperty("data");
        var result = data.GetProperty("result");
        switch (data.GetProperty("resultType").GetString())
        {
            case "vector":
                return result.EnumerateArray()
                    .Select(e => new PrometheusSample(Strings(e.GetProperty("metric")), ParseValue(e.GetProperty("value")[1])))
                    .ToList();
            case "scalar":
                return [new PrometheusSample(new Dictionary<string, string>(), ParseValue(result[1]))];
            case var other:
                throw new InvalidOperationException($"query {promql} returned a {other}; use an instant vector or scalar");
        }
    }

    /// <summary>All pending and firing alerts.</summary>
    public async Task<IReadOnlyList<PrometheusAlert>> AlertsAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await GetApiAsync("api/v1/alerts", cancellationToken);
        return doc.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a => new PrometheusAlert(
                Strings(a.GetProperty("labels")),
                Strings(a.GetProperty("annotations")),
                a.GetProperty("state").GetString() ?? "",
                a.TryGetProperty("value", out var v) ? v.GetString() ?? "" : ""))
            .ToList();
    }

    /// <summary>All active scrape targets with their last scrape's health.</summary>
    public async Task<IReadOnlyList<PrometheusTarget>> TargetsAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await GetApiAsync("api/v1/targets?state=active", cancellationToken);
        return doc.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => new PrometheusTarget(
                t.GetProperty("scrapePool").GetString() ?? "",
                t.GetProperty("scrapeUrl").GetString() ?? "",
                Strings(t.GetProperty("labels")),
                t.GetProperty("health").GetString() ?? "",
                t.TryGetProperty("lastError", out var e) ? e.GetString() ?? "" : ""))
            .ToList();
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it returns true. Throws <see cref="TimeoutException"/>
    /// naming <paramref name="description"/> (with the log tail) after <paramref name="timeout"/>, and
    /// <see cref="InvalidOperationException"/> at once if Prometheus dies meanwhile.
    /// </summary>
    public async Task WaitForAsync(
        Func<CancellationToken, Task<bool>> condition,
        TimeSpan timeout,
        string description = "condition",
        CancellationToken cancellationToken = default)
    {
        var held = await Eventually.TryHoldsAsync(
            async () =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                ThrowIfExited();
                try
                {
                    return await condition(cancellationToken);
                }
                catch (HttpRequestException) when (!_process.HasExited)
                {
                    // A transient refusal while Prometheus is busy counts as "not yet".
                    return false;
                }
            },
            timeout, PollInterval, cancellationToken);
        if (!held)
        {
            throw new TimeoutException($"Prometheus: {description} not reached within {timeout}.\n{LogTail()}");
        }
    }

    /// <summary>Waits until alert <paramref name="alertName"/> is firing and returns its firing instances.</summary>
    public async Task<IReadOnlyList<PrometheusAlert>> WaitForFiringAsync(
        string alertName,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<PrometheusAlert> firing = [];
        await WaitForAsync(
            async ct =>
            {
                firing = (await AlertsAsync(ct)).Where(a => a.Name == alertName && a.IsFiring).ToList();
                return firing.Count > 0;
            },
            timeout,
            $"alert {alertName} firing",
            cancellationToken);
        return firing;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _http.Dispose();
        try
        {
            await _process.DisposeAsync(); // kills the tree and waits for it
            _stopped = true;
        }
        catch (TimeoutException)
        {
            // Killed but not reaped in time; the OS finishes it. The folder may then stay behind.
        }

        _directory.Dispose();
    }

    private static PrometheusServer Launch(string binary, TempDirectory directory, int port)
    {
        var info = ChildProcess.Info(binary,
        [
            "--config.file=" + directory.PathOf("prometheus.yml"),
            "--storage.tsdb.path=" + directory.PathOf("data"),
            $"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-lifecycle",
        ], directory.Path);
        return new PrometheusServer(ChildProcess.Start(info), directory, port);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        if (!await Eventually.TryHoldsAsync(() => IsReadyAsync(cancellationToken), ReadyTimeout, PollInterval, cancellationToken))
        {
            throw new TimeoutException($"Prometheus not ready within {ReadyTimeout}.\n{LogTail()}");
        }
    }

    private async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_process.HasExited)
        {
            // Let the output readers drain so the log names the cause.
            await _process.WaitForExitAndOutputAsync(StopTimeout);
            if (Log.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new PortTakenException();
            }

            ThrowIfExited();
        }

        try
        {
            using var response = await _http.GetAsync("-/ready", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // the per-request timeout: still starting
        }
    }

    private async Task<JsonDocument> GetApiAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        ThrowIfExited();
        using var response = await _http.GetAsync(pathAndQuery, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"GET /{pathAndQuery}: HTTP {(int)response.StatusCode}, not JSON: {Truncate(body)}");
        }

        if (doc.RootElement.TryGetProperty("status", out var status) && status.GetString() == "success")
        {
            return doc;
        }

        var error = doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() : body;
        doc.Dispose();
        throw new InvalidOperationException($"GET /{pathAndQuery}: HTTP {(int)response.StatusCode}: {Truncate(error ?? "")}");
    }

    private void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"Prometheus exited with code {_process.ExitCode}.\n{LogTail()}");
        }
    }

    private string LogTail()
    {
        var log = Log;
        return "Prometheus log (tail):\n" + (log.Length > 4000 ? log[^4000..] : log);
    }

    private static string Truncate(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool HasTopLevelKey(string yaml, string key)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count > 0
            && stream.Documents[0].RootNode is YamlMappingNode root
            && root.Children.ContainsKey(new YamlScalarNode(key));
    }

    private static Dictionary<string, string> Strings(JsonElement obj) =>
        obj.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");

    // Prometheus sends sample values as strings, including "NaN", "+Inf" and "-Inf".
    private static double ParseValue(JsonElement value) => value.GetString() switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        var s => double.Parse(s!, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private sealed class PortTakenException() : Exception("the chosen port was taken before Prometheus bound it");
}
