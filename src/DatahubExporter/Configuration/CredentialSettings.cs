namespace DatahubExporter.Configuration;

/// <summary>
/// What the config file and environment say about credentials before the chain looks further:
/// <c>credential_source</c> (<c>auto</c> unless pinned), a key pair (with token) when one was given and where
/// it came from, and <c>role_name</c> for the CVM role.
/// </summary>
internal sealed record CredentialSettings(string Source, Credentials? KeyPair, string KeyPairOrigin, string? RoleName);
