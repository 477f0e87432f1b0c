using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The one process runner of the tests. <see cref="RunAsync"/> runs a tool to completion and captures both streams;
/// <see cref="Start"/> keeps a server running with both streams read into buffers as they come. Every wait is
/// bounded, and a process that outlives its time is killed with its whole tree; a started process a test forgot to
/// dispose is killed when the test run exits. No test starts a process any other way.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    // Started and not yet disposed: killed by the exit hook, so no server outlives the test run.
    private static readonly ConcurrentDictionary<ChildProcess, byte> Live = new();

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private Task[] _readers = [];

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var child in Live.Keys)
            {
                KillQuietly(child._process);
            }
        };
    }

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stdout => Read(_stdout);

    public string Stderr => Read(_stderr);

    /// <summary>Start information for <paramref name="fileName"/> with <paramref name="args"/>, all streams redirected as UTF-8.</summary>
    public static ProcessStartInfo Info(string fileName, IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>
    /// Runs <paramref name="info"/> to completion, feeding <paramref name="stdin"/> when given. On timeout the whole
    /// process tree is killed and <see cref="TimeoutException"/> thrown (on cancellation, the cancellation), so no test
    /// can hang on a stuck tool.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo info, string? stdin = null, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout ?? DefaultTimeout);

        var stdoutTask = process.StandardOutput.ReadToEndAsync(timeoutCts.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(timeoutCts.Token);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), timeoutCts.Token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(timeoutCts.Token);
            return new ProcessResult(process.ExitCode, await stdoutTask, await stderrTask);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KillQuietly(process);
            throw new TimeoutException(
                $"{Path.GetFileName(info.FileName)} {string.Join(' ', info.ArgumentList)} did not finish within {timeout ?? DefaultTimeout}");
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            throw;
        }
    }

    /// <summary>Runs <paramref name="fileName"/> with <paramref name="args"/> to completion; see <see cref="RunAsync(ProcessStartInfo, string?, TimeSpan?, CancellationToken)"/>.</summary>
    public static Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> args, string? stdin = null, string? workingDirectory = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RunAsync(Info(fileName, args, workingDirectory), stdin, timeout, cancellationToken);

    /// <summary>
    /// Starts <paramref name="info"/> with stdin closed and both streams read whole chunks at a time (not lines: a
    /// raw carriage return in a hostile name must reach the buffer as it was written). <paramref name="onStderr"/>
    /// is called after each chunk of stderr, to look at <see cref="Stderr"/> so far.
    /// </summary>
    public static ChildProcess Start(ProcessStartInfo info, Action<ChildProcess>? onStderr = null)
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {info.FileName}");
        }

        Live.TryAdd(child, 0);
        process.StandardInput.Close();
        child._readers =
        [
            PumpAsync(process.StandardOutput, child._stdout, null),
            PumpAsync(process.StandardError, child._stderr, onStderr is null ? null : () => onStderr(child)),
        ];
        return child;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Waits (bounded) for the exit and for both streams to be read to their end.</summary>
    public async Task WaitForExitAndOutputAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        await Task.WhenAll(_readers).WaitAsync(cts.Token);
    }

    /// <summary>Sends a Unix signal (no-op on Windows).</summary>
    public void Signal(int signal)
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = kill(_process.Id, signal);
        }
    }

    /// <summary>SIGTERM, then a kill when it has not exited within <paramref name="timeout"/>; returns the exit code.</summary>
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
                KillQuietly(_process);
                await _process.WaitForExitAsync();
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Kills the whole tree unless it has exited and waits (10 s at most; then <see cref="TimeoutException"/>).</summary>
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
        finally
        {
            Live.TryRemove(this, out _);
            _process.Dispose();
        }
    }

    internal static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill: nothing left to stop.
        }
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into, Action? onText)
    {
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, n);
            }

            onText?.Invoke();
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
