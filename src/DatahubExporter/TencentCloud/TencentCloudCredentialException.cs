namespace DatahubExporter.TencentCloud;

/// <summary>
/// No credentials to sign with: the role source has not answered yet, or its keys expired and every refresh
/// since has failed. No request was sent. Not retryable within a scrape: the provider retries in the
/// background, and the next scrape picks up what it gets.
/// </summary>
internal sealed class TencentCloudCredentialException(string action, string region, string host, CredentialSources.CredentialException inner)
    : TencentCloudException(action, region, host, inner.Message, inner)
{
    public override string Code => "CredentialError";
}
