namespace DatahubExporter.Soak;

/// <summary>
/// Lets the fault driver stop the scrapers between waves: <see cref="PauseAsync"/> closes the gate and waits
/// until no scrape is in flight, so a fault switched on afterwards meets an exporter with no collection
/// running — which is what makes the expected failure count exact. Thread-safe.
/// </summary>
public sealed class ScrapeGate
{
    private readonly Lock _lock = new();
    private int _active;
    private TaskCompletionSource _open = NewOpen(opened: true);
    private TaskCompletionSource? _drained;

    /// <summary>Waits while paused, then counts the caller as in flight until <see cref="Exit"/>.</summary>
    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task open;
            lock (_lock)
            {
                if (_open.Task.IsCompleted)
                {
                    _active++;
                    return;
                }

                open = _open.Task;
            }

            await open.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            _active--;
            if (_active == 0)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>Closes the gate and waits (bounded) until every scrape in flight has been answered.</summary>
    /// <exception cref="TimeoutException">Scrapes were still in flight after <paramref name="timeout"/>.</exception>
    public async Task PauseAsync(TimeSpan timeout)
    {
        Task drained;
        lock (_lock)
        {
            _open = NewOpen(opened: false);
            _drained = NewOpen(opened: _active == 0);
            drained = _drained.Task;
        }

        await drained.WaitAsync(timeout).ConfigureAwait(false);
    }

    public void Resume()
    {
        lock (_lock)
        {
            _drained = null;
            _open.TrySetResult();
        }
    }

    private static TaskCompletionSource NewOpen(bool opened)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (opened)
        {
            tcs.SetResult();
        }

        return tcs;
    }
}
