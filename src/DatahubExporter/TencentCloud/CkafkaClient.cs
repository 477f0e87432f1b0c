using System.Text.Json;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// The two CKafka list actions the exporter scrapes, with every page fetched (exporter.md "Collection
/// semantics"). Thread-safe. Failures are those of <see cref="TencentCloudClient.CallAsync"/>: one failed
/// page fails the whole list, so a region yields everything or nothing.
/// </summary>
/// <remarks>
/// Paging stops on the first of: as many items as the latest <c>TotalCount</c>; a short or empty page; a
/// page that brought no id not seen before; or the page budget, <c>ceil(first TotalCount / 100) + 2</c>
/// pages (at most <see cref="MaxPages"/>), fixed after the first page. The budget is what makes a
/// <c>TotalCount</c> that keeps growing finish. Duplicate ids keep their first occurrence; items without an
/// id are dropped, since they cannot be told apart in a series.
/// </remarks>
public sealed class CkafkaClient(TencentCloudClient api)
{
    /// <summary>Items per request: the documented maximum of DescribeDatahubTasks and the safe value for
    /// DescribeConnectResources, whose maximum changed from 100 to 1000 in 2025 (tencent-cloud-api.md §2.3, §2.4).</summary>
    public const int PageSize = 100;

    /// <summary>Hard cap on pages per list: 50,000 items, far past any real account.</summary>
    public const int MaxPages = 500;

    public Task<IReadOnlyList<DatahubTask>> DescribeDatahubTasksAsync(ApiTarget target, CancellationToken cancellationToken) =>
        ListAllAsync(target, "DescribeDatahubTasks", "TaskList", ReadTask, static t => t.TaskId, cancellationToken);

    public Task<IReadOnlyList<ConnectResource>> DescribeConnectResourcesAsync(ApiTarget target, CancellationToken cancellationToken) =>
        ListAllAsync(target, "DescribeConnectResources", "ConnectResourceList", ReadResource, static r => r.ResourceId, cancellationToken);

    /// <summary>The request body, byte for byte what the Go SDK sends: <c>{"Limit":100,"Offset":0}</c> (§7).</summary>
    internal static byte[] PageRequest(int limit, long offset)
    {
        using var buffer = new MemoryStream(32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("Limit", limit);
            writer.WriteNumber("Offset", offset);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    internal static DatahubTask ReadTask(JsonElement item) => new(
        TaskId: CkafkaJson.String(item, "TaskId"),
        TaskName: CkafkaJson.String(item, "TaskName"),
        Status: CkafkaJson.Integer(item, "Status"),
        TaskType: CkafkaJson.String(item, "TaskType"),
        SourceType: CkafkaJson.String(CkafkaJson.Property(item, "SourceResource"), "Type"),
        TargetType: CkafkaJson.String(CkafkaJson.Property(item, "TargetResource"), "Type"),
        DatahubId: CkafkaJson.String(item, "DatahubId"));

    internal static ConnectResource ReadResource(JsonElement item) => new(
        ResourceId: CkafkaJson.String(item, "ResourceId"),
        ResourceName: CkafkaJson.String(item, "ResourceName"),
        Status: CkafkaJson.Integer(item, "Status"),
        Type: CkafkaJson.String(item, "Type"));

    private Task<IReadOnlyList<T>> ListAllAsync<T>(
        ApiTarget target, string action, string listName, Func<JsonElement, T> read, Func<T, string> id, CancellationToken cancellationToken) =>
        ListAsync(target, action, listName, PageSize, read, id, new ListProgress(), cancellationToken);

    /// <summary>
    /// Every item of <paramref name="action"/>'s list in one region. <paramref name="progress"/> is updated as
    /// pages arrive, so a failure can say how far the sweep got.
    /// </summary>
    /// <exception cref="TencentCloudInvalidResponseException">An answer lost its list: <c>Result</c> missing,
    /// or the list null or absent while <c>TotalCount</c> is above zero. An empty account is
    /// <c>TotalCount</c> 0 with an empty or null list.</exception>
    public async Task<IReadOnlyList<T>> ListAsync<T>(ApiTarget target, string action, string listName, int limit,
        Func<JsonElement, T> read, Func<T, string> id, ListProgress progress, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var budget = MaxPages;
        progress.PagesExpected = 1;
        for (var page = 0; page < budget; page++)
        {
            var body = PageRequest(limit, (long)page * limit);
            using var response = await api.CallAsync(target, action, body, cancellationToken).ConfigureAwait(false);
            var result = CkafkaJson.Property(response.RootElement, "Result");
            var total = CkafkaJson.Integer(result, "TotalCount");
            var list = CkafkaJson.Property(result, listName);
            if (result.ValueKind != JsonValueKind.Object || (list.ValueKind != JsonValueKind.Array && total is not (null or 0)))
            {
                throw LostList(target, action, listName, page, result, total, response.RootElement);
            }

            if (page == 0 && total is long first)
            {
                // Fixed from the first answer, so a TotalCount that changes later cannot stretch the scan.
                budget = (int)Math.Clamp((Math.Max(0, first) + limit - 1) / limit + 2, 1, MaxPages);
                progress.PagesExpected = (int)Math.Clamp((Math.Max(0, first) + limit - 1) / limit, 1, MaxPages);
            }

            var returned = 0;
            var added = 0;
            if (list.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in list.EnumerateArray())
                {
                    returned++;
                    var item = read(element);
                    var key = id(item);
                    if (key.Length > 0 && seen.Add(key))
                    {
                        items.Add(item);
                        added++;
                    }
                }
            }

            progress.PageDone();
            if (returned < limit || added == 0 || (total is long latest && items.Count >= latest))
            {
                break;
            }
        }
        return items;
    }

    private static TencentCloudInvalidResponseException LostList(
        ApiTarget target, string action, string listName, int page, JsonElement result, long? total, JsonElement response)
    {
        var requestId = CkafkaJson.String(response, "RequestId");
        var what = result.ValueKind != JsonValueKind.Object
            ? $"page {page + 1} has no Result"
            : $"page {page + 1} lost its list: TotalCount {total} but {listName} is {(CkafkaJson.Property(result, listName).ValueKind == JsonValueKind.Undefined ? "absent" : "not a list")}";
        return new TencentCloudInvalidResponseException(action, target.Region, target.Endpoint.Authority,
            $"{what} (RequestId {(requestId.Length == 0 ? "none" : requestId)})", isRetryable: false);
    }
}

/// <summary>How far one list sweep got, for failure messages. Written by the sweep, read after it.</summary>
public sealed class ListProgress
{
    private int _pagesDone;

    public int PagesDone => Volatile.Read(ref _pagesDone);

    /// <summary>Pages the first <c>TotalCount</c> promised (1 until the first page answers).</summary>
    public int PagesExpected { get; set; } = 1;

    internal void PageDone() => Interlocked.Increment(ref _pagesDone);
}
