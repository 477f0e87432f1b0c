using System.Diagnostics;

namespace DatahubExporter.Tests.WebConfig;

/// <summary>Runs the real curl against a loopback test server. Bounded: curl gets --max-time 10 and is
/// killed if it has not exited after 30 s.</summary>
internal static class Curl
{
    public sealed record Result(int ExitCode, int Status, string Body, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("curl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var variable in new[] { "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "CURL_HOME" })
        {
            start.Environment.Remove(variable);
        }

        // -q first: ignore any ~/.curlrc.
        foreach (var arg in (string[])["-q", "--max-time", "10", "--silent", "--show-error", "--noproxy", "*", "--write-out", "\n%{http_code}", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("curl did not exit within 30 s");
        }

        var output = await stdout;
        var newline = output.LastIndexOf('\n');
        var status = int.TryParse(output[(newline + 1)..], out var code) ? code : 0;
        return new Result(process.ExitCode, status, newline < 0 ? "" : output[..newline], await stderr);
    }
}
