using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// Temporary credentials from a role source (TKE OIDC or the CVM instance role), refreshed in the
/// background well ahead of expiry: after two thirds of the remaining lifetime (tencent-cloud-api.md §6 asks
/// for better than Go's inline refresh that panics). Scrapes never wait for a refresh, except for the very
/// first fetch while it runs, and an API rejection (<see cref="RefreshRejectedAsync"/>).
/// </summary>
/// <remarks>
/// Concurrency: one refresh at a time, shared by the timer, <see cref="StartAsync"/> and every rejected
/// caller. Failure: a failed refresh keeps the credentials in hand while they are valid, is logged, counted
/// and retried with capped exponential backoff (1 s doubling to 60 s, jittered); once they have expired,
/// <see cref="GetAsync"/> throws a <see cref="CredentialException"/> saying why until a refresh succeeds.
/// </remarks>
internal sealed class RefreshingCredentialProvider : CredentialProvider
{
    internal static readonly TimeSpan MinRefreshDelay = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan BaseBackoff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait before the next refresh: keys said to live for months (a bad metadata answer, a host
    /// clock far behind) are fetched again daily, and no timer is ever asked for more than it can hold (~49.7 days).</summary>
    internal static readonly TimeSpan MaxRefreshDelay = TimeSpan.FromDays(1);

    private readonly ITemporaryCredentialFetcher _fetcher;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CredentialMetrics _metrics;
    private readonly string? _triedBefore;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private TemporaryCredentials? _current;
    private Task<bool>? _inflight;
    private string? _lastError;
    private int _failures;
    private int _rejections;
    private DateTimeOffset _quietUntil = DateTimeOffset.MinValue;
    private bool _disposed;

    /// <param name="triedBefore">For <c>credential_source = auto</c>: what the chain tried before this source,
    /// so a failure of the first fetch reads as "no credentials found" with the whole list.</param>
    public RefreshingCredentialProvider(ITemporaryCredentialFetcher fetcher, TimeProvider time, ILogger log, CredentialMetrics metrics, string? triedBefore)
    {
        _fetcher = fetcher;
        _time = time;
        _log = log;
        _metrics = metrics;
        _triedBefore = triedBefore;
        metrics.Register(fetcher.Source);
    }

    public override string Source => _fetcher.Source;

    public override string Detail => _fetcher.Detail;

    public override Credentials? Current => Volatile.Read(ref _current)?.Credentials;

    public override DateTimeOffset? Expiry => Volatile.Read(ref _current)?.Expiry;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await RefreshAsync().WaitAsync(cancellationToken).ConfigureAwait(false) && Volatile.Read(ref _current) is null)
        {
            throw new CredentialException(FailureMessage());
        }
    }

    public override async ValueTask<Credentials> GetAsync(CancellationToken cancellationToken)
    {
        if (Valid() is { } now)
        {
            return now;
        }

        // Only the first fetch (or one running after expiry) is worth waiting for; never start one here.
        if (Volatile.Read(ref _inflight) is { } running)
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Valid() is { } fresh)
            {
                return fresh;
            }
        }

        throw new CredentialException(FailureMessage());
    }

    /// <remarks>At most one fetch per backoff interval, whoever asks: after a failed fetch, or one that handed out
    /// the keys the API had just rejected, rejected callers get null until the backoff has passed (the scrape fails
    /// rather than every collection fetching afresh); one running is joined.</remarks>
    public override async Task<Credentials?> RefreshRejectedAsync(Credentials rejected, CancellationToken cancellationToken)
    {
        if (Valid() is { } current && current != rejected)
        {
            return current; // another caller's refresh already replaced them
        }

        Task<bool> refresh;
        lock (_gate)
        {
            if (_inflight is null && _time.GetUtcNow() < _quietUntil)
            {
                return null;
            }

            refresh = RefreshAsync();
        }

        await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Valid() is { } fresh && fresh != rejected)
        {
            return fresh;
        }

        lock (_gate)
        {
            // The source answered with the rejected keys again (or failed): back off like a failed refresh.
            var quiet = _time.GetUtcNow() + RetryDelay(++_rejections, Random.Shared.NextDouble());
            _quietUntil = quiet > _quietUntil ? quiet : _quietUntil;
        }

        return null;
    }

    public override CredentialMetrics Metrics => _metrics;

    public override void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer?.Dispose();
        }

        _stopping.Cancel();
        base.Dispose();
    }

    /// <summary>When to refresh keys that stay valid for <paramref name="remaining"/>: after two thirds of it, so
    /// a third of the lifetime is left for retries (40 min of a 2-hour STS lifetime). Pure, for the tests.</summary>
    internal static TimeSpan NextRefreshDelay(TimeSpan remaining) =>
        remaining * 2 / 3 is var delay && delay > MinRefreshDelay ? (delay < MaxRefreshDelay ? delay : MaxRefreshDelay) : MinRefreshDelay;

    /// <summary>Delay before retry number <paramref name="failures"/> (1-based); <paramref name="unit"/> in [0, 1)
    /// jitters it between half and all of min(60 s, 1 s·2^(failures−1)). Pure, for the tests.</summary>
    internal static TimeSpan RetryDelay(int failures, double unit)
    {
        var ceiling = Math.Min(MaxBackoff.TotalSeconds, BaseBackoff.TotalSeconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30)));
        return TimeSpan.FromSeconds(ceiling * (0.5 + Math.Clamp(unit, 0, 1) / 2));
    }

    private Credentials? Valid()
    {
        var current = Volatile.Read(ref _current);
        return current is not null && _time.GetUtcNow() < current.Expiry ? current.Credentials : null;
    }

    private string FailureMessage()
    {
        string error;
        lock (_gate)
        {
            error = _lastError ?? "not fetched yet";
        }

        var current = Volatile.Read(ref _current);
        if (current is not null)
        {
            return $"credentials from {Source} expired at {current.Expiry.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}; the last refresh failed: {error}";
        }

        return _triedBefore is null ? $"no credentials from {Source}: {error}" : $"no credentials found; tried in order: {_triedBefore}; {Source}: {error}";
    }

    /// <summary>Starts a refresh, or joins the one running. True when it produced credentials.</summary>
    private Task<bool> RefreshAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.FromResult(false);
            }

            return _inflight ??= RunRefreshAsync();
        }
    }

    private async Task<bool> RunRefreshAsync()
    {
        // Off the caller's stack, so the lock above is released before any I/O starts.
        await Task.Yield();
        var ok = false;
        var current = Volatile.Read(ref _current);
        var first = current is null;
        // Whatever happens below, including a bug in a fetcher, the next attempt gets scheduled.
        var next = MaxBackoff;
        try
        {
            var fresh = await _fetcher.FetchAsync(_stopping.Token).ConfigureAwait(false);
            // Before anyone can use them: whatever fetcher produced them, they are masked wherever text leaves the process.
            Telemetry.SecretScrubber.Process.Protect(fresh.Credentials);
            Volatile.Write(ref _current, fresh);
            lock (_gate)
            {
                _lastError = null;
                _failures = 0;
                if (fresh.Credentials != current?.Credentials)
                {
                    _rejections = 0;
                }
            }

            ok = true;
            _metrics.Refreshed(Source, success: true);
            // The first fetch is announced by the start-up line; later ones are worth an info line each.
            _log.Log(first ? LogLevel.Debug : LogLevel.Information, "credentials refreshed source={Source} detail={Detail} secret_id={SecretId} expires={Expiry}",
                Source, Detail, fresh.Credentials.MaskedSecretId, fresh.Expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            next = NextRefreshDelay(fresh.Expiry - _time.GetUtcNow());
        }
        // A fetcher throws CredentialException by contract; anything else (a bug, an unexpected exception type from the
        // HTTP stack) must not stop the refresh loop nor escape to a start-up or SIGHUP caller, so it is treated alike.
        catch (Exception e) when (!(e is OperationCanceledException && _stopping.IsCancellationRequested))
        {
            int failures;
            lock (_gate)
            {
                _lastError = e.Message;
                failures = ++_failures;
            }

            _metrics.Refreshed(Source, success: false);
            next = RetryDelay(failures, Random.Shared.NextDouble());
            lock (_gate)
            {
                // A rejected caller does not fetch before the timer's retry does.
                _quietUntil = _time.GetUtcNow() + next;
            }

            current = Volatile.Read(ref _current);
            if (current is not null && _time.GetUtcNow() < current.Expiry)
            {
                _log.LogWarning("credential refresh failed, keeping the current credentials until they expire source={Source} expires={Expiry} retry_in_seconds={Retry} err={Error}",
                    Source, current.Expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), Math.Round(next.TotalSeconds, 1), e.Message);
            }
            else if (!first || failures > 1)
            {
                // A failed first fetch is reported once by whoever started the provider (Program, a reload).
                _log.LogError("credential refresh failed, collections fail until the source answers source={Source} retry_in_seconds={Retry} err={Error}",
                    Source, Math.Round(next.TotalSeconds, 1), e.Message);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed while fetching: nothing left to schedule.
            next = Timeout.InfiniteTimeSpan;
        }
        finally
        {
            lock (_gate)
            {
                _inflight = null;
                if (!_disposed && next != Timeout.InfiniteTimeSpan)
                {
                    _timer ??= _time.CreateTimer(static state => _ = ((RefreshingCredentialProvider)state!).RefreshAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    // Clamped again here: whatever computed it, a due time the timer refuses must not end the loop.
                    _timer.Change(next < MinRefreshDelay ? MinRefreshDelay : next > MaxRefreshDelay ? MaxRefreshDelay : next, Timeout.InfiniteTimeSpan);
                }
            }
        }

        return ok;
    }
}
