namespace DatahubExporter.Tests.Support;

/// <summary>What a finished child process left behind: exit code and both output streams, whole.</summary>
internal sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Both streams, for assertion messages.</summary>
    public string Output => StdOut.Length == 0 ? StdErr : StdErr.Length == 0 ? StdOut : StdOut + "\n" + StdErr;
}
