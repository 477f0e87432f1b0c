namespace DatahubExporter.TencentCloud;

/// <summary>
/// What the Tencent Cloud client reports about each HTTP attempt, for <c>/metrics</c>. Implementations
/// must be thread-safe and cheap: they are called on the scrape path.
/// </summary>
internal interface IApiObserver
{
    // account: the [account.NAME] the call was made for (exporter.md "Accounts and targets"), null without account sections.

    /// <summary>One attempt finished. <paramref name="code"/> is <c>Success</c>, the Tencent error code, or a
    /// client-side code (<c>Timeout</c>, <c>NetworkError</c>, <c>HttpStatusError</c>, <c>InvalidResponse</c>, <c>ResponseTooLarge</c>).</summary>
    void RequestCompleted(string action, string region, string code, double seconds, string? account = null);

    /// <summary>An attempt failed with <paramref name="code"/> and will be retried.</summary>
    void Retrying(string action, string region, string code, string? account = null);

    /// <summary>The client-side rate limiter delayed a request by <paramref name="seconds"/>.</summary>
    void LimiterWaited(string action, string region, double seconds, string? account = null);
}
