namespace DatahubExporter.Tests.Support;

/// <summary>
/// The real curl against a loopback server, as an operator would run it: no ~/.curlrc, no proxy, response headers
/// and status kept apart from the body. Bounded: curl gets --max-time 30 and is killed if it has not exited after 45 s.
/// </summary>
internal static class Curl
{
    /// <summary>curl's exit code, the last HTTP status (0 when none), the response headers (CR removed), the body and stderr.</summary>
    public sealed record Result(int ExitCode, int Status, string Headers, string Body, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var temp = new TempDirectory("curl-");
        var headersFile = temp.PathOf("headers");
        // -q first: ignore any ~/.curlrc.
        var info = ChildProcess.Info("curl",
            ["-q", "--max-time", "30", "--silent", "--show-error", "--noproxy", "*", "-D", headersFile, "--write-out", "\n%{http_code}", .. args]);
        foreach (var variable in new[] { "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "CURL_HOME" })
        {
            info.Environment.Remove(variable);
        }

        var result = await ChildProcess.RunAsync(info, timeout: TimeSpan.FromSeconds(45));
        var output = result.StdOut;
        var newline = output.LastIndexOf('\n');
        var status = int.TryParse(output[(newline + 1)..], out var code) ? code : 0;
        var headers = File.Exists(headersFile) ? (await File.ReadAllTextAsync(headersFile)).Replace("\r", "", StringComparison.Ordinal) : "";
        return new Result(result.ExitCode, status, headers, newline < 0 ? "" : output[..newline], result.StdErr);
    }
}
