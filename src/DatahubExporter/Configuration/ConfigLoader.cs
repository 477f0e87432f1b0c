namespace DatahubExporter.Configuration;

/// <summary>STUB: replaced by the exposition/config helper.</summary>
public static class ConfigLoader
{
    public static ExporterConfig Load(string path, Func<string, string?> getEnvironmentVariable) =>
        throw new NotImplementedException();

    public static IReadOnlyList<string> Warnings(string path) => [];
}
