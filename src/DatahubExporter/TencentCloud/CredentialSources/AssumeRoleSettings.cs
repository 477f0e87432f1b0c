namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>What an <c>[account.NAME]</c> section says about its cross-account role (exporter.md "Accounts and
/// targets"): the role, the optional external id, session name and lifetime, and the region STS is told.</summary>
internal sealed record AssumeRoleSettings(string Account, string RoleArn, string? ExternalId, string? SessionName, int? DurationSeconds, string Region);
