using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace DatahubExporter.Soak;

/// <summary>
/// The real <c>datahub_exporter</c> apphost as a child process: stdout and stderr captured whole (they are
/// searched for secrets and crash lines at the end), the listening address read from its start-up log line,
/// always killed on dispose. Every wait is bounded.
/// </summary>
public sealed partial class ExporterChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ExporterChild(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    /// <summary>Starts the binary and waits (bounded) for its "listening" log line. TENCENTCLOUD_* variables are removed
    /// so that the config file alone decides what the exporter talks to.</summary>
    public static async Task<ExporterChild> StartAsync(string binary, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("TENCENTCLOUD_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ExporterChild(process);
        process.OutputDataReceived += (_, e) => child.Append(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            child.Append(child._stderr, e.Data);
            if (e.Data is not null && ListeningLine().Match(e.Data) is { Success: true } m)
            {
                var first = m.Groups[1].Value.Split(',')[0];
                child._listening.TrySetResult(new Uri(first));
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();

        var exited = process.WaitForExitAsync();
        var done = await Task.WhenAny(child._listening.Task, exited, Task.Delay(timeout)).ConfigureAwait(false);
        if (done != child._listening.Task)
        {
            var why = done == exited ? $"exited with code {process.ExitCode}" : "did not log its listening address in time";
            await child.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"exporter {why}; stderr:\n{child.Stderr}");
        }

        child.BaseAddress = await child._listening.Task.ConfigureAwait(false);
        return child;
    }

    /// <summary>SIGTERM, as systemd and Kubernetes stop it, then the exit code; killed if it does not stop in time.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            if (!OperatingSystem.IsWindows())
            {
                _ = kill(_process.Id, 15);
            }

            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                return -1;
            }
        }

        // The parameterless wait also drains the asynchronous output readers.
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
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped.
        }

        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.Append(line).Append('\n');
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [GeneratedRegex(@"msg=listening address=(\S+)")]
    private static partial Regex ListeningLine();
}
