using System.Globalization;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The exporter's command line without a process: <see cref="Program.RunAsync"/> with stdout and stderr captured
/// whole and an environment that is only the dictionary given (the test runner's own variables, TENCENTCLOUD_* keys
/// included, are never read; <c>HOME</c> is a folder that does not exist unless given, so no real profile file is
/// found). Returns what a child process would have left: exit code, stdout, stderr. Safe to call from tests running
/// in parallel: each call has its own writers and environment, and the process-wide state <c>Program</c> touches is
/// thread-safe (<c>ProcessMetrics.Initialize</c> is idempotent; <c>SecretScrubber.Process</c> only learns more secrets,
/// which is why tests that search the output for secrets use <see cref="FreshSecrets"/>, never the fixture's constants).
/// A bug that throws reaches the test as the exception (the real binary's <c>Main</c> would print one line instead),
/// and a run that does not finish within the timeout fails the test rather than hanging it.
/// </summary>
internal static class InProcessCli
{
    /// <param name="env">The whole environment the program sees.</param>
    /// <param name="timeout">How long the run may take (60 s by default, as for the binary); its token is cancelled then too.</param>
    public static async Task<ProcessResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        // A HOME inside a private folder of this run's own, never created: no profile file, and no other run's.
        using var scratch = new TempDirectory("datahub-cli-");
        var environment = new Dictionary<string, string>(env ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        environment.TryAdd("HOME", scratch.PathOf("no-home"));
        // Log lines come from concurrent collections; the logger serialises its own, the rest is made safe here. Not
        // disposed: a timer the run left behind may still write, and must not throw on a thread nobody watches.
        var stdout = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var stderr = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var syncOut = TextWriter.Synchronized(stdout);
        var syncErr = TextWriter.Synchronized(stderr);
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancel.CancelAfter(limit);
        string[] argv = [.. args];
        // On the thread pool and waited for with a bound: a regression that blocks (a FIFO opened without a writer)
        // must fail this test, not hang the run.
        var run = Task.Run(() => Program.RunAsync(argv, syncOut, syncErr, name => environment.GetValueOrDefault(name), cancel.Token), CancellationToken.None);
        int code;
        try
        {
            code = await run.WaitAsync(limit + TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"datahub_exporter {string.Join(' ', argv)} did not finish within {limit}; stderr so far:\n{Snapshot(syncErr, stderr)}");
            throw;
        }

        return new ProcessResult(code, Snapshot(syncOut, stdout), Snapshot(syncErr, stderr));
    }

    private static string Snapshot(TextWriter synchronized, StringWriter writer)
    {
        lock (synchronized)
        {
            return writer.ToString();
        }
    }
}
