using System.Text.Json;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// The two CKafka list actions the exporter scrapes, with every page fetched (exporter.md "Collection
/// semantics"). Thread-safe. Failures are those of <see cref="TencentCloudClient.CallAsync"/>: one failed
/// page fails the whole list, so a region yields everything or nothing.
/// </summary>
/// <remarks>
/// The page budget is fixed by the first page: <c>ceil(first TotalCount / effective page size)</c> pages (at
/// most <see cref="MaxPages"/>), so a <c>TotalCount</c> that keeps growing cannot stretch a sweep, and a
/// changed list is swept again at most once. Without a <c>TotalCount</c> pages go one at a time until a short
/// page or a page that brought no new id. Duplicate ids keep their first occurrence; items without an id are
/// dropped, since they cannot be told apart in a series.
/// </remarks>
internal sealed class CkafkaClient(TencentCloudClient api)
{
    /// <summary>Items per request: the documented maximum of DescribeDatahubTasks and the safe value for
    /// DescribeConnectResources, whose maximum changed from 100 to 1000 in 2025 (tencent-cloud-api.md §2.3, §2.4).</summary>
    public const int PageSize = 100;

    /// <summary>Hard cap on pages per list: 50,000 items, far past any real account.</summary>
    public const int MaxPages = 500;

    /// <summary>Pages of one list in flight at once. The rate limiter is what paces them; this bounds the
    /// connections and receive buffers one sweep holds. 20 is the API's own budget per action and second, so at
    /// the API's pace and any latency under a second it never binds; it binds only with a client limit above the
    /// API's (the footprint script runs at 1,000/s, where 64 pages in flight put the peak under 50 scrapers at
    /// 156 MiB against 127 MiB at 20/s) or an API slower than a second per page.</summary>
    public const int MaxConcurrentPages = 20;

    /// <summary>The request body, byte for byte what the Go SDK sends: <c>{"Limit":100,"Offset":0}</c> (§7); a list
    /// that needs more parameters (a group's offsets, §8) writes them first with <paramref name="fields"/>.</summary>
    internal static byte[] PageRequest(int limit, long offset, Action<Utf8JsonWriter>? fields = null)
    {
        using var buffer = new MemoryStream(32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            fields?.Invoke(writer);
            writer.WriteNumber("Limit", limit);
            writer.WriteNumber("Offset", offset);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Every item of <paramref name="action"/>'s list in one region. The first page gives <c>TotalCount</c>
    /// and the effective page size (an API may return fewer than asked); the remaining pages go out
    /// concurrently, at offsets of the effective page size, as fast as the rate limiter admits. When a page
    /// reports another <c>TotalCount</c> than the first, the list changed during the sweep, and the sweep is
    /// repeated once if <see cref="ListProgress.Remaining"/> leaves as much time as the first sweep took.
    /// <paramref name="progress"/> is updated as pages arrive, so a failure can say how far the sweep got.
    /// <paramref name="fields"/> writes the action's other request parameters into every page's body.
    /// </summary>
    /// <exception cref="TencentCloudException">Code <c>InvalidResponse</c>, not retryable, when an answer lost its list: <c>Result</c> missing,
    /// or the list null or absent (or, on the first page, empty) while <c>TotalCount</c> is above zero. An empty account is
    /// <c>TotalCount</c> 0 with an empty or null list.</exception>
    public async Task<IReadOnlyList<T>> ListAsync<T>(ApiTarget target, string action, string listName, int limit,
        Func<JsonElement, T> read, Func<T, string> id, ListProgress progress, CancellationToken cancellationToken,
        Action<Utf8JsonWriter>? fields = null)
    {
        var page = new PageReader<T>(api, target, action, listName, read, fields);
        var started = api.Time.GetTimestamp();
        var (items, changed) = await SweepAsync(page, limit, id, progress, cancellationToken).ConfigureAwait(false);
        if (changed && (progress.Remaining is not { } remaining || remaining() > api.Time.GetElapsedTime(started)))
        {
            (items, _) = await SweepAsync(page, limit, id, progress, cancellationToken).ConfigureAwait(false);
        }

        return items;
    }

    private static async Task<(List<T> Items, bool Changed)> SweepAsync<T>(
        PageReader<T> reader, int limit, Func<T, string> id, ListProgress progress, CancellationToken cancellationToken)
    {
        progress.Start();
        var first = await reader.ReadAsync(0, limit, 0, cancellationToken).ConfigureAwait(false);
        progress.PageDone();
        if (first.Total is not long firstTotal)
        {
            // No count to plan by: page one after another until a short page or a page with nothing new.
            return (await SequentialAsync(reader, limit, id, first, progress, cancellationToken).ConfigureAwait(false), false);
        }

        var total = Math.Max(0, firstTotal);
        if (first.Items.Count == 0 || first.Items.Count >= total)
        {
            progress.PagesExpected = 1;
            return (Merge([first], id), false);
        }

        // A full first page, or one the API cut short although more items exist: that is its page size.
        var pageSize = Math.Max(1, Math.Min(limit, first.Items.Count));
        var pages = (int)Math.Clamp((total + pageSize - 1) / pageSize, 1, MaxPages);
        progress.PagesExpected = pages;
        var results = new Page<T>[pages];
        results[0] = first;
        await Parallel.ForEachAsync(Enumerable.Range(1, pages - 1),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentPages, CancellationToken = cancellationToken },
            async (n, token) =>
            {
                results[n] = await reader.ReadAsync(n, pageSize, (long)n * pageSize, token).ConfigureAwait(false);
                progress.PageDone();
            }).ConfigureAwait(false);

        return (Merge(results, id), results.Any(r => r.Total != firstTotal));
    }

    private static async Task<List<T>> SequentialAsync<T>(
        PageReader<T> reader, int limit, Func<T, string> id, Page<T> first, ListProgress progress, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var page = first;
        for (var n = 0; ; n++)
        {
            var added = 0;
            foreach (var item in page.Items)
            {
                var key = id(item);
                if (key.Length > 0 && seen.Add(key))
                {
                    items.Add(item);
                    added++;
                }
            }

            if (page.Items.Count < limit || added == 0 || n + 1 >= MaxPages)
            {
                return items;
            }

            page = await reader.ReadAsync(n + 1, limit, (long)(n + 1) * limit, cancellationToken).ConfigureAwait(false);
            progress.PageDone();
        }
    }

    /// <summary>Pages in order, each id once (its first occurrence); items without an id are dropped, since
    /// they cannot be told apart in a series.</summary>
    private static List<T> Merge<T>(IReadOnlyList<Page<T>> pages, Func<T, string> id)
    {
        var items = new List<T>(pages.Sum(p => p.Items.Count));
        var seen = new HashSet<string>(items.Capacity, StringComparer.Ordinal);
        foreach (var page in pages)
        {
            foreach (var item in page.Items)
            {
                var key = id(item);
                if (key.Length > 0 && seen.Add(key))
                {
                    items.Add(item);
                }
            }
        }

        return items;
    }

    /// <summary>One page's items, parsed as soon as it arrived (its JSON is not kept), and its TotalCount.</summary>
    private readonly record struct Page<T>(List<T> Items, long? Total);

    private sealed class PageReader<T>(
        TencentCloudClient api, ApiTarget target, string action, string listName, Func<JsonElement, T> read, Action<Utf8JsonWriter>? fields)
    {
        public async Task<Page<T>> ReadAsync(int index, int limit, long offset, CancellationToken cancellationToken)
        {
            using var response = await api.CallAsync(target, action, PageRequest(limit, offset, fields), cancellationToken).ConfigureAwait(false);
            var result = CkafkaJson.Property(response.RootElement, "Result");
            var total = CkafkaJson.Integer(result, "TotalCount");
            var list = CkafkaJson.Property(result, listName);
            // A first page with no items while TotalCount promises some is a lost list too: taken as an empty
            // account it would drop every series and so resolve every firing alert.
            if (result.ValueKind != JsonValueKind.Object
                || (total is not (null or 0) && (list.ValueKind != JsonValueKind.Array || (index == 0 && list.GetArrayLength() == 0))))
            {
                throw LostList(target, action, listName, index, result, total, response.RootElement);
            }

            var items = new List<T>(list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0);
            if (list.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in list.EnumerateArray())
                {
                    items.Add(read(element));
                }
            }

            return new Page<T>(items, total);
        }
    }

    private static TencentCloudException LostList(
        ApiTarget target, string action, string listName, int page, JsonElement result, long? total, JsonElement response)
    {
        var requestId = CkafkaJson.String(response, "RequestId");
        var what = result.ValueKind != JsonValueKind.Object
            ? $"page {page + 1} has no Result"
            : $"page {page + 1} lost its list: TotalCount {total} but {listName} is {CkafkaJson.Property(result, listName).ValueKind switch
            {
                JsonValueKind.Undefined => "absent",
                JsonValueKind.Array => "empty",
                _ => "not a list",
            }}";
        return TencentCloudException.InvalidResponse(action, target.Region, target.Endpoint.Authority,
            $"{what} (RequestId {(requestId.Length == 0 ? "none" : requestId)})", isRetryable: false);
    }
}

/// <summary>How far one list sweep got, for failure messages, and how much time it may still take.</summary>
internal sealed class ListProgress
{
    // -1 while no TotalCount has said how many pages the sweep needs.
    private int _pagesDone;
    private int _pagesExpected = -1;

    /// <summary>Time left before the deadline; null when unknown (a changed list is then always swept again).</summary>
    public Func<TimeSpan>? Remaining { get; init; }

    /// <summary>Pages of the current sweep answered so far.</summary>
    public int PagesDone => Volatile.Read(ref _pagesDone);

    /// <summary>Pages the current sweep's first <c>TotalCount</c> promised; null before the first page answers, and
    /// for an answer without <c>TotalCount</c>.</summary>
    public int? PagesExpected
    {
        get => Volatile.Read(ref _pagesExpected) is var pages and >= 0 ? pages : null;
        internal set => Volatile.Write(ref _pagesExpected, value ?? -1);
    }

    /// <summary>How far the sweep got, for "… failed {Shown}": "after 2 of 5 pages", "on its first page", "after 3 pages
    /// (page count unknown)".</summary>
    public string Shown => (PagesDone, PagesExpected) switch
    {
        (var done, { } expected) => $"after {done} of {expected} pages",
        (0, null) => "on its first page",
        (var done, null) => $"after {done} pages (page count unknown)",
    };

    internal void Start()
    {
        Volatile.Write(ref _pagesDone, 0);
        Volatile.Write(ref _pagesExpected, -1);
    }

    internal void PageDone() => Interlocked.Increment(ref _pagesDone);
}
