using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// The real <c>datahub_exporter</c> binary (copied next to the tests by the project reference) as a child
/// process: arguments and environment given, stdout and stderr captured whole (so tests can search them
/// for secrets), always killed on dispose. Every wait is bounded.
/// </summary>
public sealed partial class ExporterProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ExporterProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Names another build of the exporter for every test that starts one: CI sets it to the NativeAOT
    /// binary it published and runs the end-to-end and Prometheus tests a second time against that.</summary>
    public const string BinaryVariable = "DATAHUB_EXPORTER_BINARY";

    /// <summary><c>$DATAHUB_EXPORTER_BINARY</c> when set, else the framework-dependent build next to the tests.</summary>
    public static string BinaryPath =>
        Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } other
            ? Path.GetFullPath(other)
            : Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "datahub_exporter.exe" : "datahub_exporter");

    public Uri BaseAddress { get; private set; } = null!;

    public int Pid => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the binary. TENCENTCLOUD_* variables of the test runner are removed unless given in <paramref name="env"/>.</summary>
    /// <param name="binary">Another build of the exporter (the soak runs the Release one); default <see cref="BinaryPath"/>.</param>
    /// <param name="workingDirectory">The process's working directory; default the test runner's.</param>
    public static ExporterProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? binary = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(binary ?? BinaryPath)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("TENCENTCLOUD_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var exporter = new ExporterProcess(process);
        process.Start();
        process.StandardInput.Close();
        // Read whole chunks, not lines: hostile names hold a raw carriage return, which the text format leaves
        // unescaped and a line reader would split.
        exporter._readers =
        [
            PumpAsync(process.StandardOutput, exporter._stdout, null),
            PumpAsync(process.StandardError, exporter._stderr, exporter.NoticeListening),
        ];
        return exporter;
    }

    private Task[] _readers = [];

    private static async Task PumpAsync(StreamReader reader, StringBuilder into, Action<string>? onText)
    {
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            string text;
            lock (into)
            {
                into.Append(buffer, 0, n);
                text = onText is null ? "" : into.ToString();
            }

            onText?.Invoke(text);
        }
    }

    private void NoticeListening(string stderr)
    {
        if (_listening.Task.IsCompleted)
        {
            return;
        }

        var m = ListeningLine().Match(stderr);
        if (m.Success)
        {
            var first = m.Groups[1].Value.Split(',')[0].Replace("://[::]:", "://127.0.0.1:").Replace("://0.0.0.0:", "://127.0.0.1:");
            _listening.TrySetResult(new Uri(first));
        }
    }

    /// <summary>Starts a server and waits (bounded) until it logs the address it listens on.</summary>
    public static async Task<ExporterProcess> StartServerAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null, string? binary = null, string? workingDirectory = null)
    {
        var exporter = Start(args, env, binary, workingDirectory);
        var exited = exporter._process.WaitForExitAsync();
        var listening = exporter._listening.Task;
        var done = await Task.WhenAny(listening, exited, Task.Delay(timeout ?? TimeSpan.FromSeconds(30)));
        if (done != listening)
        {
            var why = done == exited ? $"exited with {exporter._process.ExitCode}" : "did not log its listening address in time";
            await exporter.DisposeAsync();
            throw new InvalidOperationException($"exporter {why}; stderr:\n{exporter.Stderr}");
        }

        exporter.BaseAddress = await listening;
        return exporter;
    }

    /// <summary>Runs to completion (bounded) and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null)
    {
        await using var exporter = Start(args, env);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await exporter._process.WaitForExitAsync(cts.Token);
        await Task.WhenAll(exporter._readers).WaitAsync(cts.Token);
        return (exporter._process.ExitCode, exporter.Stdout, exporter.Stderr);
    }

    public void Signal(int signal)
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = kill(_process.Id, signal);
        }
    }

    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Signal(15); // SIGTERM: a graceful stop, like systemd and Kubernetes do
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }

        _process.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [GeneratedRegex(@"msg=listening address=(\S+)")]
    private static partial Regex ListeningLine();
}
