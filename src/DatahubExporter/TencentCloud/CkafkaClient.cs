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

    private async Task<IReadOnlyList<T>> ListAllAsync<T>(
        ApiTarget target, string action, string listName, Func<JsonElement, T> read, Func<T, string> id, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var budget = MaxPages;
        for (var page = 0; page < budget; page++)
        {
            var body = PageRequest(PageSize, (long)page * PageSize);
            using var response = await api.CallAsync(target, action, body, cancellationToken).ConfigureAwait(false);
            var result = CkafkaJson.Property(response.RootElement, "Result");
            var total = CkafkaJson.Integer(result, "TotalCount");
            if (page == 0 && total is long first)
            {
                // Fixed from the first answer, so a TotalCount that changes later cannot stretch the scan.
                budget = (int)Math.Clamp((Math.Max(0, first) + PageSize - 1) / PageSize + 2, 1, MaxPages);
            }

            var list = CkafkaJson.Property(result, listName);
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

            if (returned < PageSize || added == 0 || (total is long latest && items.Count >= latest))
            {
                break;
            }
        }
        return items;
    }
}
