namespace DatahubExporter.Tests.Support;

/// <summary>
/// Debian's headless Chromium (<c>chromium-headless-shell</c>, else <c>chromium --headless</c>; installed by
/// <c>tests/scripts/install-test-tools.sh</c>) driven one page load per process: the DOM after the page's scripts would
/// have run (<c>--dump-dom</c>), or a screenshot of the viewport. Each run gets its own profile folder, so parallel
/// runs on one machine do not share a profile lock.
/// </summary>
internal sealed class HeadlessChromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _binary;
    private readonly string[] _mode;

    private HeadlessChromium(string binary, string[] mode)
    {
        _binary = binary;
        _mode = mode;
    }

    /// <summary>The installed browser, or null (the test then skips, naming the package).</summary>
    public static HeadlessChromium? Find()
    {
        if (File.Exists("/usr/bin/chromium-headless-shell"))
        {
            return new HeadlessChromium("/usr/bin/chromium-headless-shell", []);
        }

        return File.Exists("/usr/bin/chromium") ? new HeadlessChromium("/usr/bin/chromium", ["--headless"]) : null;
    }

    /// <summary>The serialised DOM of <paramref name="url"/> once it has loaded.</summary>
    public async Task<string> DumpDomAsync(string url)
    {
        var result = await RunAsync(["--dump-dom", url]);
        Assert.That(result.ExitCode, Is.EqualTo(0), $"chromium --dump-dom {url}: {result.StdErr}");
        return result.StdOut;
    }

    /// <summary>Writes a PNG of the first <paramref name="width"/> × <paramref name="height"/> CSS pixels of <paramref name="url"/>.</summary>
    public async Task ScreenshotAsync(string url, string file, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Delete(file);
        var result = await RunAsync([$"--screenshot={file}", $"--window-size={width},{height}", "--hide-scrollbars", url]);
        Assert.That(result.ExitCode, Is.EqualTo(0), $"chromium --screenshot {url}: {result.StdErr}");
        Assert.That(File.Exists(file), Is.True, $"chromium wrote no screenshot: {result.StdErr}");
    }

    private async Task<ProcessResult> RunAsync(string[] args)
    {
        using var profile = new TempDirectory();
        // --no-sandbox: CI and test containers run as root, where Chromium's sandbox refuses to start.
        return await ChildProcess.RunAsync(_binary,
            [.. _mode, "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", $"--user-data-dir={profile.Path}", .. args],
            timeout: Timeout);
    }
}
