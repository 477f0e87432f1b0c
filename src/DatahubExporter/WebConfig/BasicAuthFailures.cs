using DatahubExporter.Exposition;

namespace DatahubExporter.WebConfig;

/// <summary>Counts refused basic-auth attempts by reason for <c>datahub_exporter_http_auth_failures_total</c>.
/// Every reason is written from the start (at 0), so <c>rate()</c> sees the first failure. Lock-free.</summary>
internal sealed class BasicAuthFailures
{
    /// <summary>No <c>Authorization</c> header.</summary>
    public const string Missing = "missing";

    /// <summary>A header that is not valid <c>Basic</c> credentials.</summary>
    public const string Malformed = "malformed";

    /// <summary>A user name not in <c>basic_auth_users</c>.</summary>
    public const string UnknownUser = "unknown_user";

    /// <summary>A configured user with the wrong password.</summary>
    public const string WrongPassword = "wrong_password";

    /// <summary>Not checked: every core was already verifying a password (answered 429 at once).</summary>
    public const string Busy = "busy";

    private static readonly string[] Reasons = [Busy, Malformed, Missing, UnknownUser, WrongPassword];

    private readonly long[] _counts = new long[Reasons.Length];

    public void Count(string reason)
    {
        var i = Array.IndexOf(Reasons, reason);
        if (i >= 0)
        {
            Interlocked.Increment(ref _counts[i]);
        }
    }

    public long this[string reason] => Interlocked.Read(ref _counts[Array.IndexOf(Reasons, reason)]);

    public MetricFamily Collect() =>
        new("datahub_exporter_http_auth_failures_total",
            "HTTP requests refused by basic auth, by reason: missing, malformed, unknown_user, wrong_password, or busy (every core was verifying a password; answered 429 without checking).",
            MetricType.Counter,
            Reasons.Select((r, i) => new Sample("datahub_exporter_http_auth_failures_total", [new Label("reason", r)], Interlocked.Read(ref _counts[i]))).ToList());
}
