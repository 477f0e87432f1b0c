namespace DatahubExporter.TencentCloud;

/// <summary>One Datahub task as the exporter needs it. Strings are never null (missing → ""); a missing
/// <c>Status</c> stays null so that no made-up status is exported.</summary>
internal sealed record DatahubTask(
    string TaskId, string TaskName, long? Status, string TaskType, string SourceType, string TargetType, string DatahubId);

/// <summary>One connect resource as the exporter needs it; same null rules as <see cref="DatahubTask"/>.</summary>
internal sealed record ConnectResource(string ResourceId, string ResourceName, long? Status, string Type);

/// <summary>Where and as whom one region's API is called: the provider hands out the keys in force at each attempt.</summary>
internal sealed record ApiTarget(string Region, Uri Endpoint, CredentialSources.CredentialProvider Credentials);
