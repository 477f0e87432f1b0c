namespace DatahubExporter.TencentCloud;

/// <summary>Where and as whom one region's API is called: the provider hands out the keys in force at each attempt.</summary>
internal sealed record ApiTarget(string Region, Uri Endpoint, CredentialSources.CredentialProvider Credentials)
{
    /// <summary>The account section this call is made for (null without account sections): it has a limiter budget of its own.</summary>
    public string? Account { get; init; }
}
