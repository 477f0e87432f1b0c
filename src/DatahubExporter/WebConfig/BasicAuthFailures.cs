using DatahubExporter.Telemetry;

namespace DatahubExporter.WebConfig;

/// <summary>Counts refused basic-auth attempts by reason for <c>datahub_exporter_http_auth_failures_total</c>: a
/// <see cref="SelfCounter"/> (lock-free), registered in <c>ExporterServices.SelfMetrics</c> when a web config file is
/// in use. Every reason is written from the start (at 0), so <c>rate()</c> sees the first failure; other reasons are
/// not counted.</summary>
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

    public BasicAuthFailures()
    {
        foreach (var reason in Reasons)
        {
            Failures.Touch(new(reason));
        }
    }

    public SelfCounter Failures { get; } = new("datahub_exporter_http_auth_failures_total",
        "HTTP requests refused by basic auth, by reason: missing, malformed, unknown_user, wrong_password, or busy (every core was verifying a password; answered 429 without checking).",
        "reason");

    public void Count(string reason)
    {
        if (Array.IndexOf(Reasons, reason) >= 0)
        {
            Failures.Increment(new(reason));
        }
    }

    public long this[string reason] => (long)Failures.Get(new(reason));
}
