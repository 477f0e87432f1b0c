using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Status;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>
/// The one collection engine behind every scrape path (in the spirit of node_exporter's <c>execute()</c>):
/// single-flight and the cache per unit of collection (path, account, region — exporter.md "Accounts and targets"),
/// deadlines, the fan-out over units, error counts and the families every path shares. A path only describes itself (<see cref="ScrapePath"/>). Thread-safe.
/// </summary>
/// <remarks>
/// No scraper can spoil another's answer (exporter.md "Collection semantics"): a collection runs until the
/// latest deadline among the scrapes waiting for it, capped by <see cref="EngineOptions.MaxTimeout"/>; a
/// scrape whose own deadline passes first answers a failure for itself without counting a failed
/// collection; a collection nobody waits for any more is cancelled unless the cache would keep its result;
/// a budget under <see cref="EngineOptions.MinimumBudget"/> is refused at once. A failing unit costs
/// exactly one error-count increment per collection and never hides the other units; units of different accounts
/// share nothing but the HTTP connection pool (their limiter budgets, keys, collections and counts are their own).
/// </remarks>
internal sealed partial class CollectionEngine
{
    /// <summary>The collection stops this much (at most) before its latest scraper's deadline, so that its own
    /// failure is recorded and answered before that scrape gives up waiting.</summary>
    private static readonly TimeSpan MaxStopMargin = TimeSpan.FromMilliseconds(200);

    private readonly CkafkaClient _ckafka;
    private readonly ConfigHolder _config;
    private readonly ScrapeMetrics _scrapeMetrics;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly StatusBoard? _statusBoard;
    private readonly Dictionary<ScrapePath, PathState> _states = new(ReferenceEqualityComparer.Instance);

    public CollectionEngine(CkafkaClient ckafka, ConfigHolder config, ScrapeMetrics scrapeMetrics, EngineOptions options,
        IReadOnlyList<ScrapePath> paths, ILogger logger, TimeProvider time, StatusBoard? statusBoard = null)
    {
        _ckafka = ckafka;
        _config = config;
        _scrapeMetrics = scrapeMetrics;
        _options = options;
        _logger = logger;
        _time = time;
        _statusBoard = statusBoard;
        Paths = paths;
        foreach (var path in paths)
        {
            _states.Add(path, new PathState(path));
        }
    }

    public IReadOnlyList<ScrapePath> Paths { get; }

    /// <summary>Failed collections of <paramref name="path"/> in <paramref name="region"/> since start (no account sections).</summary>
    public long ErrorCount(ScrapePath path, string region) => ErrorCount(path, null, region);

    /// <summary>Failed collections of <paramref name="path"/> for <paramref name="account"/> in <paramref name="region"/> since start.</summary>
    public long ErrorCount(ScrapePath path, string? account, string region) => _states[path].ErrorCount(account, region);

    /// <summary>
    /// The units a scrape with these query parameters selects (exporter.md "Accounts and targets"): every account and
    /// region without them. Null, with the one-line reason, for an account that is not configured or a region not
    /// configured for the selected accounts; nothing is called then.
    /// </summary>
    public IReadOnlyList<Unit>? Select(string? account, string? region, out string? problem)
    {
        var config = _config.Current;
        var accounts = config.Accounts;
        problem = null;
        if (account is not null)
        {
            var named = accounts.Where(a => a.Account == account).ToList();
            if (named.Count == 0)
            {
                var names = accounts.Where(a => a.Account is not null).Select(a => a.Account!).ToList();
                problem = names.Count == 0
                    ? "unknown account: this exporter has no [account.NAME] sections, so it takes no account parameter"
                    : $"unknown account \"{Clip(account)}\": valid accounts are {string.Join(", ", names)}";
                return null;
            }

            accounts = named;
        }

        var units = new List<Unit>();
        foreach (var a in accounts)
        {
            foreach (var r in a.Regions)
            {
                if (region is null || r == region)
                {
                    units.Add(new Unit(a, r));
                }
            }
        }

        if (units.Count == 0)
        {
            var regions = accounts.SelectMany(a => a.Regions).Distinct(StringComparer.Ordinal);
            problem = $"unknown region \"{Clip(region!)}\"{(account is null ? "" : $" for account {account}")}: valid regions are {string.Join(", ", regions)}";
            return null;
        }

        return units;
    }

    // A parameter value echoed in a 400: short and printable (it is the client's own input, but logs may show it).
    private static string Clip(string value) =>
        new([.. value.Take(64).Select(ch => ch is >= ' ' and <= '~' && ch != '"' && ch != '\\' ? ch : '?')]);

    /// <summary>Answers one scrape of <paramref name="path"/> (every account and region). <paramref name="budget"/> bounds this caller's
    /// wait; <paramref name="requestAborted"/> only stops this caller waiting. Never throws for API trouble.</summary>
    public Task<ScrapeAnswer> ScrapeAsync(ScrapePath path, TimeSpan budget, CancellationToken requestAborted) =>
        ScrapeAsync(path, Select(null, null, out _)!, budget, requestAborted);

    /// <summary>Answers one scrape of the <paramref name="units"/> of <paramref name="path"/> (from <see cref="Select"/>):
    /// it waits for each unit's collection, shared only with the other scrapes of that unit.</summary>
    public async Task<ScrapeAnswer> ScrapeAsync(ScrapePath path, IReadOnlyList<Unit> units, TimeSpan budget, CancellationToken requestAborted)
    {
        var state = _states[path];
        var parts = await Task.WhenAll(units.Select(unit => ObtainAsync(state, unit, budget, requestAborted))).ConfigureAwait(false);
        _scrapeMetrics.Count(path.Name, How(parts));
        var result = new PathResult(path, parts.Select(p => p.Outcome).ToList(), _time.GetUtcNow());
        var cacheAge = CacheAge(parts);
        if (parts.Any(p => p.Collection is null))
        {
            // A cached answer's age differs for every scrape, and a timed-out one is this scrape's alone.
            return new ScrapeAnswer(Render([(result, cacheAge)]), result.AllSucceeded);
        }

        var collections = parts.Select(p => p.Collection!).ToArray();
        lock (state.Lock)
        {
            // Every scrape that shared these collections shares one answer (and its serialised payloads). The answer
            // lives with the first collection, so both are garbage once its last scraper is answered.
            var answers = collections[0].Answers ??= [];
            foreach (var (shared, answer) in answers)
            {
                if (shared.AsSpan().SequenceEqual(collections, ReferenceEqualityComparer.Instance))
                {
                    return answer;
                }
            }

            var made = new ScrapeAnswer(Render([(result, null)]), result.AllSucceeded);
            answers.Add((collections, made));
            return made;
        }
    }

    /// <summary>Every path at once, concurrently, as ONE exposition (<c>--once</c>): the shared families carry
    /// every path's samples because they are rendered once from all results.</summary>
    public async Task<ScrapeAnswer> ScrapeAllAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var units = Select(null, null, out _)!;
        var parts = await Task.WhenAll(Paths.Select(async path =>
        {
            var state = _states[path];
            var obtained = await Task.WhenAll(units.Select(unit => ObtainAsync(state, unit, budget, cancellationToken))).ConfigureAwait(false);
            _scrapeMetrics.Count(path.Name, How(obtained));
            return (result: new PathResult(path, obtained.Select(p => p.Outcome).ToList(), _time.GetUtcNow()), cacheAge: CacheAge(obtained));
        })).ConfigureAwait(false);
        return new ScrapeAnswer(Render(parts), parts.All(p => p.result.AllSucceeded));
    }

    /// <summary>How a scrape was answered: timed out when any unit was, cached when every unit was, joined when it
    /// started no collection, else collected.</summary>
    private static string How(IReadOnlyList<Obtained> parts) =>
        parts.Any(p => p.How == ScrapeMetrics.TimedOut) ? ScrapeMetrics.TimedOut
        : parts.All(p => p.How == ScrapeMetrics.Cached) ? ScrapeMetrics.Cached
        : parts.All(p => p.How is ScrapeMetrics.Joined or ScrapeMetrics.Cached) ? ScrapeMetrics.Joined
        : ScrapeMetrics.Collected;

    /// <summary>The age of the oldest cached unit in the answer; null when every unit was collected for it.</summary>
    private static TimeSpan? CacheAge(IReadOnlyList<Obtained> parts) =>
        parts.Where(p => p.CacheAge is not null).Select(p => p.CacheAge!.Value).DefaultIfEmpty().Max() is var age && parts.Any(p => p.CacheAge is not null)
            ? age : null;

    /// <summary>One unit's part of a scrape; the collection is null when the outcome is this scrape's alone (cached,
    /// timed out, refused).</summary>
    private readonly record struct Obtained(RegionOutcome Outcome, TimeSpan? CacheAge, string How, Collection? Collection);

    private async Task<Obtained> ObtainAsync(PathState state, Unit unit, TimeSpan budget, CancellationToken requestAborted)
    {
        var now = _time.GetUtcNow();
        var unitState = state.Unit(unit.Account.Account, unit.Region);
        Collection collection;
        string how;
        lock (state.Lock)
        {
            if (_options.CacheTtl > TimeSpan.Zero && unitState.LastGood is { } good && now - good.CompletedAt < _options.CacheTtl)
            {
                return new Obtained(good.Outcome, now - good.CompletedAt, ScrapeMetrics.Cached, null);
            }

            if (budget < _options.MinimumBudget)
            {
                _logger.LogDebug("scrape refused collector={Collector} budget_seconds={Budget} err={Error}", state.Path.Name, budget.TotalSeconds,
                    "a budget under the minimum starts no API call");
                return new Obtained(Failed(unit, TimeSpan.Zero), null, ScrapeMetrics.TimedOut, null);
            }

            // A collection whose stop time has come is unwinding and can no longer be extended: joining it would hand
            // this scraper a failure (and an error count) caused by a scraper with a shorter deadline. Start afresh.
            if (unitState.InFlight is { } running && !running.Task.IsCompleted && !running.Token.IsCancellationRequested && running.StopAt > now)
            {
                collection = running;
                collection.Extend(now, budget, _options.MaxTimeout);
                how = ScrapeMetrics.Joined;
            }
            else
            {
                collection = new Collection(now, budget, _options.MaxTimeout, _time);
                unitState.InFlight = collection;
                collection.Task = CollectAsync(state, unitState, unit, collection);
                how = ScrapeMetrics.Collected;
            }

            collection.Waiters++;
        }

        try
        {
            return new Obtained(await collection.Task.WaitAsync(budget, _time, requestAborted).ConfigureAwait(false), null, how, collection);
        }
        catch (TimeoutException)
        {
            // Only this scrape ran out of time; the collection goes on for those who wait longer, and is not
            // counted as failed (it has not failed).
            _logger.LogDebug("scrape deadline passed while the collection goes on collector={Collector} budget_seconds={Budget}",
                state.Path.Name, budget.TotalSeconds);
            return new Obtained(Failed(unit, budget), null, ScrapeMetrics.TimedOut, null);
        }
        finally
        {
            var abandon = false;
            lock (state.Lock)
            {
                collection.Waiters--;
                if (collection.Waiters == 0 && collection.Task.IsCompleted && ReferenceEquals(unitState.InFlight, collection))
                {
                    // Its last scraper has its result: let the collection (and its items) go.
                    unitState.InFlight = null;
                }
                else if (collection.Waiters == 0 && !collection.Task.IsCompleted && _options.CacheTtl <= TimeSpan.Zero)
                {
                    // Nobody waits and no cache would keep the result: stop spending API calls on it. A new
                    // scrape starts a fresh collection instead of joining one that is being cancelled.
                    abandon = collection.MarkAbandoned();
                    if (ReferenceEquals(unitState.InFlight, collection))
                    {
                        unitState.InFlight = null;
                    }
                }
            }

            if (abandon)
            {
                // Outside the lock: cancellation runs callbacks inline.
                collection.Cancel();
            }
        }
    }

    /// <summary>A failed answer for one scrape that got no collection result: no error count moves.</summary>
    private static RegionOutcome Failed(Unit unit, TimeSpan waited) =>
        new(unit.Region, false, waited.TotalSeconds, [], "scrape deadline passed") { Account = unit.Account.Account };

    private async Task<RegionOutcome> CollectAsync(PathState state, UnitState unitState, Unit unit, Collection collection)
    {
        // Yield first so the caller's lock is released before any work starts.
        await Task.Yield();
        try
        {
            var outcome = await CollectRegionAsync(state, unitState, unit.Account, ApiTargets.For(unit.Account, unit.Region), collection).ConfigureAwait(false);
            // Only the cache reads it: with --cache.ttl 0 (the default) keeping it held the last sweep's items
            // (10,000 tasks) in the heap between sweeps for nothing (not measured on its own).
            if (outcome.Success && _options.CacheTtl > TimeSpan.Zero)
            {
                lock (state.Lock)
                {
                    unitState.LastGood = (outcome, _time.GetUtcNow());
                }
            }

            return outcome;
        }
        finally
        {
            lock (state.Lock)
            {
                collection.Finish();
            }
        }
    }

    private async Task<RegionOutcome> CollectRegionAsync(PathState state, UnitState unitState, ExporterConfig config, ApiTarget target, Collection collection)
    {
        var path = state.Path;
        var account = config.Account;
        var started = _time.GetTimestamp();
        var progress = NewProgress(state, collection);
        var token = collection.Token;
        string error;
        try
        {
            IReadOnlyList<ListedItem> items;
            var limit = state.Limit;
            try
            {
                items = await _ckafka.ListAsync(target, path.Action, path.ListField, limit, path.Read, static i => i.Id, progress, token).ConfigureAwait(false);
            }
            catch (TencentCloudException e) when (e.IsApiError && limit > CkafkaClient.PageSize && progress.PagesDone == 0 &&
                                                  e.Code.StartsWith("InvalidParameter", StringComparison.Ordinal))
            {
                // An API from before the larger documented maximum: ask 100 from now on.
                _logger.LogInformation("the API refused a page size, using {Fallback} from now on collector={Collector} region={Region} limit={Limit} code={Code}",
                    CkafkaClient.PageSize, path.Name, target.Region, limit, e.Code);
                state.Limit = CkafkaClient.PageSize;
                progress = NewProgress(state, collection);
                items = await _ckafka.ListAsync(target, path.Action, path.ListField, CkafkaClient.PageSize, path.Read, static i => i.Id, progress, token)
                    .ConfigureAwait(false);
            }

            var filter = path.Filter(config);
            if (!filter.IsAll)
            {
                items = items.Where(i => filter.Keeps(i.Name)).ToList();
            }

            items = ScrubSecrets(items);

            if (path.Stage is { } stage)
            {
                return Finished(path, await RunStageAsync(state, stage, config, target, collection, items, started).ConfigureAwait(false), progress);
            }

            var seconds = _time.GetElapsedTime(started).TotalSeconds;
            _logger.LogDebug("collection succeeded collector={Collector} account={Account} region={Region} items={Items} pages={Pages} duration_seconds={Duration}",
                path.Name, account ?? "", target.Region, items.Count, progress.PagesDone, seconds);
            return Finished(path, new RegionOutcome(target.Region, true, seconds, items, null) { Account = account }, progress);
        }
        catch (TencentCloudException e)
        {
            error = $"code {e.Code}: {e.Message}";
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            error = "deadline exceeded";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug or an answer nobody foresaw: still only this region's collection fails.
            error = $"unexpected {e.GetType().Name}: {e.Message}";
        }

        var elapsed = _time.GetElapsedTime(started).TotalSeconds;
        if (collection.Abandoned)
        {
            // Cancelled because every scraper left: nobody is told, so nothing is counted.
            _logger.LogDebug("collection abandoned collector={Collector} account={Account} region={Region} duration_seconds={Duration}",
                path.Name, account ?? "", target.Region, elapsed);
            return new RegionOutcome(target.Region, false, elapsed, [], "abandoned") { Account = account };
        }

        unitState.CountError();
        var message = $"{path.Action} in {target.Region}{(account is null ? "" : $" of account {account}")} failed {progress.Shown} " +
                      $"({elapsed:0.###} s of a {collection.Budget.TotalSeconds:0.###} s budget): {error}";
        var pagesExpected = progress.PagesExpected?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";
        if (account is null)
        {
            _logger.LogWarning("collection failed collector={Collector} region={Region} action={Action} pages_done={PagesDone} pages_expected={PagesExpected} " +
                               "budget_seconds={Budget} duration_seconds={Duration} err={Error}",
                path.Name, target.Region, path.Action, progress.PagesDone, pagesExpected, collection.Budget.TotalSeconds, elapsed, message);
        }
        else
        {
            _logger.LogWarning("collection failed collector={Collector} account={Account} region={Region} action={Action} pages_done={PagesDone} " +
                               "pages_expected={PagesExpected} budget_seconds={Budget} duration_seconds={Duration} err={Error}",
                path.Name, account, target.Region, path.Action, progress.PagesDone, pagesExpected, collection.Budget.TotalSeconds, elapsed, message);
        }

        return Finished(path, new RegionOutcome(target.Region, false, elapsed, [], message) { Account = account }, progress);
    }

    /// <summary>The one hook of the status page: every finished (not abandoned) collection of a unit.</summary>
    private RegionOutcome Finished(ScrapePath path, RegionOutcome outcome, ListProgress progress)
    {
        _statusBoard?.Record(path, outcome, _time.GetUtcNow(), progress.PagesDone);
        return outcome;
    }

    /// <summary>The path's second stage on the listed items. Failed item calls fail the unit's collection
    /// (<c>collect_success</c> 0, the reason logged once) but keep the other items' series; no error count moves,
    /// since a stage path exports none.</summary>
    private async Task<RegionOutcome> RunStageAsync(PathState state, ItemStage stage, ExporterConfig config, ApiTarget target, Collection collection,
        IReadOnlyList<ListedItem> items, long started)
    {
        var path = state.Path;
        var account = config.Account;
        var result = await stage.RunAsync(new StageContext(_ckafka, target, config, () => NewProgress(state, collection), collection.Token), items)
            .ConfigureAwait(false);
        // The stage's label values come from the API too (the lag path's topic): scrubbed as the items' are.
        result = result with { Samples = ScrubSecrets(result.Samples) };
        var seconds = _time.GetElapsedTime(started).TotalSeconds;
        if (result.Failures == 0)
        {
            _logger.LogDebug("collection succeeded collector={Collector} account={Account} region={Region} items={Items} calls={Calls} duration_seconds={Duration}",
                path.Name, account ?? "", target.Region, items.Count, result.Calls, seconds);
            return new RegionOutcome(target.Region, true, seconds, items, null) { Account = account, StageSamples = result.Samples };
        }

        var message = $"{result.Failures} of {result.Calls} calls after {path.Action} in {target.Region}{(account is null ? "" : $" of account {account}")} failed: " +
                      $"first {result.FirstError}";
        _logger.LogWarning("collection failed collector={Collector} account={Account} region={Region} calls={Calls} failed_calls={Failed} duration_seconds={Duration} err={Error}",
            path.Name, account ?? "", target.Region, result.Calls, result.Failures, seconds, message);
        return new RegionOutcome(target.Region, false, seconds, items, message) { Account = account, StageSamples = result.Samples };
    }

    private ListProgress NewProgress(PathState state, Collection collection) => new()
    {
        Remaining = () =>
        {
            lock (state.Lock)
            {
                return collection.StopAt - _time.GetUtcNow();
            }
        },
    };

    /// <summary>Label values of a stage's samples with every secret masked; the same list when none holds one.</summary>
    private static IReadOnlyList<Sample> ScrubSecrets(IReadOnlyList<Sample> samples)
    {
        var scrubber = SecretScrubber.Process;
        if (scrubber.IsEmpty)
        {
            return samples;
        }

        List<Sample>? scrubbed = null;
        for (var i = 0; i < samples.Count; i++)
        {
            var labels = samples[i].Labels;
            Label[]? clean = null;
            for (var l = 0; l < labels.Count; l++)
            {
                var value = scrubber.Scrub(labels[l].Value);
                if (!ReferenceEquals(value, labels[l].Value))
                {
                    clean ??= [.. labels];
                    clean[l] = labels[l] with { Value = value };
                }
            }

            if (clean is not null)
            {
                scrubbed ??= [.. samples];
                scrubbed[i] = samples[i] with { Labels = clean };
            }
        }

        return scrubbed ?? samples;
    }

    /// <summary>Label values come from the API: a task's name or ErrorMessage may quote a key in use (issue 16 item 5).
    /// Checked once per collection, not per scrape; nothing is copied unless a value holds a secret.</summary>
    private static IReadOnlyList<ListedItem> ScrubSecrets(IReadOnlyList<ListedItem> items)
    {
        var scrubber = SecretScrubber.Process;
        if (scrubber.IsEmpty)
        {
            return items;
        }

        List<ListedItem>? scrubbed = null;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var details = item.Details;
            for (var d = 0; d < details.Length; d++)
            {
                if (!ReferenceEquals(scrubber.Scrub(details[d]), details[d]))
                {
                    details = details.Select(scrubber.Scrub).ToArray();
                    break;
                }
            }

            // Scrub returns the same string when it masks nothing: only an item holding a secret is copied.
            var (id, name, error) = (scrubber.Scrub(item.Id), scrubber.Scrub(item.Name), scrubber.Scrub(item.ErrorMessage));
            if (ReferenceEquals(id, item.Id) && ReferenceEquals(name, item.Name) && ReferenceEquals(details, item.Details) &&
                ReferenceEquals(error, item.ErrorMessage))
            {
                continue;
            }

            scrubbed ??= [.. items];
            scrubbed[i] = item with { Id = id, Name = name, Details = details, ErrorMessage = error };
        }

        return scrubbed ?? items;
    }
}
