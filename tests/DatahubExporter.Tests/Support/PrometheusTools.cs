using System.Diagnostics.CodeAnalysis;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// Finds the real <c>prometheus</c> and <c>promtool</c> binaries and runs child processes with bounded
/// time. Binaries come from <c>$PROMETHEUS_BIN_DIR</c> when it holds both, else from
/// tests/scripts/install-prometheus.sh, run at most once per test process (thread-safe, result cached,
/// failure included). When they cannot be had the calling test is ignored — or failed when <c>CI</c> is
/// set, because CI must never skip silently.
/// </summary>
internal static class PrometheusTools
{
    public static readonly TimeSpan DefaultToolTimeout = TimeSpan.FromSeconds(60);

    // apt-get update + download of a ~30 MB package on a slow mirror.
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);
    private static readonly Lazy<(string? BinDir, string? Reason)> LazyBinDir =
        new(ResolveBinDir, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The checkout's root: the nearest ancestor of the test binaries holding datahub_exporter.sln.</summary>
    public static string RepoRoot => LazyRepoRoot.Value;

    /// <summary>A path under the repository root, from '/'-separated parts.</summary>
    public static string RepoPath(string relative) =>
        Path.Combine(RepoRoot, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>True when the environment says this is a CI run (CI=true or CI=1).</summary>
    public static bool IsCi => IsCiValue(Environment.GetEnvironmentVariable("CI"));

    internal static bool IsCiValue(string? value) =>
        value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1");

    /// <summary>The directory holding both binaries; ignores (or, on CI, fails) the current test otherwise.</summary>
    public static string RequireBinDir()
    {
        var (binDir, reason) = LazyBinDir.Value;
        if (binDir is null)
        {
            Unavailable(reason ?? "Prometheus binaries unavailable");
        }

        return binDir;
    }

    public static string PrometheusPath => Path.Combine(RequireBinDir(), "prometheus");

    public static string PromtoolPath => Path.Combine(RequireBinDir(), "promtool");

    /// <summary>Skips the current test with <paramref name="reason"/>, or fails it on CI.</summary>
    [DoesNotReturn]
    public static void Unavailable(string reason)
    {
        if (IsCi)
        {
            Assert.Fail($"{reason} (CI is set, so this is a failure, not a skip)");
        }

        Assert.Ignore(reason);
    }

    /// <summary>Runs promtool with <paramref name="args"/>; feeds <paramref name="stdin"/> when given.</summary>
    public static Task<ProcessResult> RunPromtoolAsync(
        IEnumerable<string> args,
        string? stdin = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        ChildProcess.RunAsync(PromtoolPath, args, stdin, workingDirectory ?? RepoRoot, timeout ?? DefaultToolTimeout, cancellationToken);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "datahub_exporter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no datahub_exporter.sln above {AppContext.BaseDirectory}");
    }

    private static bool HasBoth(string dir) =>
        File.Exists(Path.Combine(dir, "prometheus")) && File.Exists(Path.Combine(dir, "promtool"));

    private static (string? BinDir, string? Reason) ResolveBinDir()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PROMETHEUS_BIN_DIR");
        if (!string.IsNullOrEmpty(fromEnv) && HasBoth(fromEnv))
        {
            return (fromEnv, null);
        }

        var script = RepoPath("tests/scripts/install-prometheus.sh");
        if (!File.Exists("/bin/bash") || !File.Exists(script))
        {
            return (null, "Prometheus binaries not found: set PROMETHEUS_BIN_DIR (no bash or install script here)");
        }

        ProcessResult result;
        try
        {
            result = ChildProcess.RunAsync("/bin/bash", [script], workingDirectory: RepoRoot, timeout: InstallTimeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException e)
        {
            return (null, "Prometheus binaries not provisioned: " + e.Message);
        }

        var lastOut = LastLine(result.StdOut);
        if (result.ExitCode != 0 || lastOut is null || !HasBoth(lastOut))
        {
            var why = LastLine(result.StdErr) ?? $"exit code {result.ExitCode}";
            return (null, $"Prometheus binaries not provisioned by tests/scripts/install-prometheus.sh: {why}");
        }

        return (lastOut, null);
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
