using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud.CredentialSources;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Support;

/// <summary>A credential chain that logs nothing, on the system clock, for tests that only read a configuration
/// (nothing is started, so the clock is never read). The exporter builds its own chain from its one clock.</summary>
internal static class QuietChain
{
    public static readonly CredentialChain Instance = new(CredentialChain.CreateHttpClient(useProxy: false),
        CredentialChain.CreateHttpClient(useProxy: true), TimeProvider.System, NullLogger.Instance, new CredentialMetrics());

    /// <summary><see cref="ConfigLoader.Load(string, Func{string, string?}, CredentialChain)"/> with this chain.</summary>
    public static ExporterConfig Load(string path, Func<string, string?> getEnvironmentVariable) =>
        ConfigLoader.Load(path, getEnvironmentVariable, Instance);
}
