using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>Keys from the config file, the environment or a profile file: fixed until SIGHUP re-reads them.</summary>
internal sealed class StaticCredentialProvider(Credentials credentials, string source, string detail) : CredentialProvider
{
    public override string Source => source;

    public override string Detail => detail;

    public override Credentials Current => credentials;

    public override ValueTask<Credentials> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credentials);
}
