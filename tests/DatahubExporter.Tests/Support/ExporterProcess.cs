using System.Text.RegularExpressions;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The real <c>datahub_exporter</c> binary (copied next to the tests by the project reference) as a child
/// process (<see cref="ChildProcess"/>): arguments and environment given, stdout and stderr captured whole (so
/// tests can search them for secrets), always killed on dispose. Every wait is bounded.
/// </summary>
public sealed partial class ExporterProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly TaskCompletionSource<Uri> _listening;

    private ExporterProcess(ChildProcess process, TaskCompletionSource<Uri> listening)
    {
        _process = process;
        _listening = listening;
    }

    /// <summary>Names another build of the exporter for every test that starts one: CI sets it to the NativeAOT
    /// binary it published and runs the tests that start the exporter (<c>[Category("Binary")]</c>) a second time
    /// against that.</summary>
    public const string BinaryVariable = "DATAHUB_EXPORTER_BINARY";

    /// <summary><c>$DATAHUB_EXPORTER_BINARY</c> when set, else the framework-dependent build next to the tests.</summary>
    public static string BinaryPath =>
        Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } other
            ? Path.GetFullPath(other)
            : Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "datahub_exporter.exe" : "datahub_exporter");

    public Uri BaseAddress { get; private set; } = null!;

    public int Pid => _process.Pid;

    public string Stdout => _process.Stdout;

    public string Stderr => _process.Stderr;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the binary. TENCENTCLOUD_* variables of the test runner are removed unless given in <paramref name="env"/>.</summary>
    /// <param name="binary">Another build of the exporter (the soak runs the Release one); default <see cref="BinaryPath"/>.</param>
    /// <param name="workingDirectory">The process's working directory; default the test runner's.</param>
    public static ExporterProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? binary = null,
        string? workingDirectory = null)
    {
        RequireBinaryCategory();
        var info = ChildProcess.Info(binary ?? BinaryPath, args, workingDirectory);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("TENCENTCLOUD_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new ExporterProcess(ChildProcess.Start(info, child => NoticeListening(child.Stderr, listening)), listening);
    }

    private static void NoticeListening(string stderr, TaskCompletionSource<Uri> listening)
    {
        if (listening.Task.IsCompleted)
        {
            return;
        }

        var m = ListeningLine().Match(stderr);
        if (m.Success)
        {
            var first = m.Groups[1].Value.Split(',')[0].Replace("://[::]:", "://127.0.0.1:").Replace("://0.0.0.0:", "://127.0.0.1:");
            listening.TrySetResult(new Uri(first));
        }
    }

    /// <summary>Starts a server and waits (bounded) until it logs the address it listens on.</summary>
    public static async Task<ExporterProcess> StartServerAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null, string? binary = null, string? workingDirectory = null)
    {
        var exporter = Start(args, env, binary, workingDirectory);
        var exited = exporter._process.WaitForExitAsync();
        var listening = exporter._listening.Task;
        string? why = null;
        try
        {
            if (await Task.WhenAny(listening, exited).WaitAsync(timeout ?? TimeSpan.FromSeconds(30)) == exited)
            {
                why = $"exited with {exporter._process.ExitCode}";
            }
        }
        catch (TimeoutException)
        {
            why = "did not log its listening address in time";
        }

        if (why is not null)
        {
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
        await exporter._process.WaitForExitAndOutputAsync(timeout ?? TimeSpan.FromSeconds(60));
        return (exporter._process.ExitCode, exporter.Stdout, exporter.Stderr);
    }

    /// <summary>In the test project (ExporterProcess.Category.cs), fails a test that starts the exporter from a fixture
    /// outside the Binary category, which CI's native pass would skip; the soak, which links this file alone, has none.</summary>
    static partial void RequireBinaryCategory();

    public void Signal(int signal) => _process.Signal(signal);

    public Task<int> StopAsync(TimeSpan timeout) => _process.StopAsync(timeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"msg=listening address=(\S+)")]
    private static partial Regex ListeningLine();
}
