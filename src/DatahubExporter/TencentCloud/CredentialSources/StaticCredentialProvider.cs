using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>Keys from the config file, the environment or a profile file: fixed until SIGHUP re-reads them.</summary>
internal sealed class StaticCredentialProvider : CredentialProvider
{
    private readonly Credentials credentials;
    private readonly string source;
    private readonly string detail;

    public StaticCredentialProvider(Credentials credentials, string source, string detail)
    {
        this.credentials = credentials;
        this.source = source;
        this.detail = detail;
        // Handed out from now on: masked wherever text leaves the process.
        Telemetry.SecretScrubber.Process.Protect(credentials);
    }

    public override string Source => source;

    public override string Detail => detail;

    public override Credentials Current => credentials;

    public override ValueTask<Credentials> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credentials);
}
