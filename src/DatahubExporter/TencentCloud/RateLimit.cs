namespace DatahubExporter.TencentCloud;

/// <summary>The limiter's current rate of one budget (requests per second): an action on an API host, of an account
/// when there are account sections (null without).</summary>
internal readonly record struct RateLimit(string? Account, string Action, string Host, double Rate)
{
    /// <summary>Reads back the limiter key <see cref="ApiCall.LimiterHost"/> made: <c>account/host</c> or <c>host</c> (a host has no
    /// slash, so the last one ends the account, whatever its name holds).</summary>
    public static RateLimit FromLimiterKey(string action, string limiterHost, double rate) =>
        limiterHost.LastIndexOf('/') is var slash and > 0
            ? new RateLimit(limiterHost[..slash], action, limiterHost[(slash + 1)..], rate)
            : new RateLimit(null, action, limiterHost, rate);
}
