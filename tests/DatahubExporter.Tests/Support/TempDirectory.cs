namespace DatahubExporter.Tests.Support;

/// <summary>
/// The one way the tests (and the soak) make a scratch folder: a fresh private folder (mode 0700 on Unix) under the
/// system temp directory, named <c>prefix</c> plus a random part, so parallel tests never share one; deleted with
/// everything in it on dispose (<c>using var temp = new TempDirectory("prefix-");</c>, or a field disposed in
/// <c>[TearDown]</c>). Nothing else in the tests names the system temp directory.
/// </summary>
internal sealed class TempDirectory(string prefix = "datahub-test-") : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The full path of <paramref name="name"/> inside the folder (nothing is created).</summary>
    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="name"/> inside the folder, with
    /// <paramref name="mode"/> when given (ignored on Windows), and returns its full path.</summary>
    public string Write(string name, string text, UnixFileMode? mode = null)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        if (mode is { } m && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, m);
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Already gone, or a killed child still held a file: a leftover folder under the temp directory is
            // harmless, and failing the teardown over it would hide the test's own result.
        }
    }
}
