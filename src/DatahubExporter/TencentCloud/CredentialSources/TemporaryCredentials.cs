using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>Keys handed out by a role source (CVM metadata or STS) and the moment they stop working.</summary>
internal sealed record TemporaryCredentials(Credentials Credentials, DateTimeOffset Expiry);
