using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud;

/// <summary>One API call as every attempt sees it: where it goes (<see cref="Host"/> is the authority connected
/// to, <see cref="RequestUri"/> always has the path "/", §2.1) and the keys the current attempt signs with.</summary>
internal sealed record ApiCall(ApiTarget Target, string Action, string Host, Uri RequestUri, Credentials Credentials)
{
    public string Region => Target.Region;

    /// <summary>The host as the rate limiter keys it: each account has its own budget per action and host (exporter.md
    /// "Isolation"), so the account goes in front, after a <c>/</c> no host name or account name contains.</summary>
    public string LimiterHost => Target.Account is null ? Host : $"{Target.Account}/{Host}";
}
