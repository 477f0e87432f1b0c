namespace DatahubExporter.TencentCloud;

/// <summary>Where and as whom one region's API is called: the provider hands out the keys in force at each attempt.</summary>
internal sealed record ApiTarget(string Region, Uri Endpoint, CredentialSources.CredentialProvider Credentials);
