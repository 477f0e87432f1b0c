namespace DatahubExporter.Tests.Support;

/// <summary>A fresh private folder under the system temp directory, deleted with everything in it on dispose
/// (<c>using var temp = new TempDirectory("prefix-");</c> in place of a try/finally around each test).</summary>
internal sealed class TempDirectory(string prefix = "datahub-test-") : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
