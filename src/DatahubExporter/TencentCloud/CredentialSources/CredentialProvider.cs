using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// Where the API client gets the key pair (and token) to sign each attempt with. Static sources always
/// have their keys; role sources (<see cref="RefreshingCredentialProvider"/>) refresh them in the background.
/// Thread-safe. Disposing stops any background work; the credentials in hand stay readable.
/// </summary>
internal abstract class CredentialProvider : IDisposable
{
    /// <summary><c>static</c>, <c>profile</c>, <c>oidc</c> or <c>cvm_role</c> (the <c>credential_source</c> values).</summary>
    public abstract string Source { get; }

    /// <summary>More about the source for logs, e.g. <c>file=/root/.tencentcloud/credentials</c>; never a secret.</summary>
    public abstract string Detail { get; }

    /// <summary>The credentials in hand, or null when a role source has not answered yet.</summary>
    public abstract Credentials? Current { get; }

    /// <summary>When <see cref="Current"/> stops working; null for keys that do not expire.</summary>
    public virtual DateTimeOffset? Expiry => null;

    /// <summary>The first fetch (role sources); throws <see cref="CredentialException"/> when it fails.
    /// Background refreshing goes on either way until <see cref="Dispose"/>.</summary>
    public virtual Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Valid credentials without waiting for any source, except while the very first fetch is still
    /// running; throws <see cref="CredentialException"/> when there are none.</summary>
    public abstract ValueTask<Credentials> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The API refused <paramref name="rejected"/> (<c>AuthFailure.TokenFailure</c> and kin): returns newer
    /// credentials after at most one refresh shared with every other caller, or null when there are none.
    /// </summary>
    public virtual Task<Credentials?> RefreshRejectedAsync(Credentials rejected, CancellationToken cancellationToken) =>
        Task.FromResult<Credentials?>(null);

    /// <summary>The refresh counters of <c>/metrics</c> this source counts in; null for keys that are never refreshed.</summary>
    public virtual CredentialMetrics? Metrics => null;

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    /// <summary>A fixed key pair is the common case (and every test's): it converts to its static provider.</summary>
    public static implicit operator CredentialProvider(Credentials credentials) =>
        new StaticCredentialProvider(credentials, CredentialSourceNames.Static, "keys=given");
}
