namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// One fetch of temporary credentials from a role source. Implementations bound every network call by a
/// short timeout and turn every failure into a <see cref="CredentialException"/>; they keep no state between
/// fetches (files are read afresh each time), so <see cref="RefreshingCredentialProvider"/> owns all timing.
/// </summary>
internal interface ITemporaryCredentialFetcher
{
    /// <summary><c>oidc</c> or <c>cvm_role</c>: the <c>source</c> label and the <c>credential_source</c> value.</summary>
    string Source { get; }

    /// <summary>Where the keys come from, for logs (never a secret), e.g. <c>role=reader</c>.</summary>
    string Detail { get; }

    Task<TemporaryCredentials> FetchAsync(CancellationToken cancellationToken);
}
