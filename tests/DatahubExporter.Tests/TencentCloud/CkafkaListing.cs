using System.Text.Json;
using DatahubExporter.Collectors;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>A Datahub task as the tests compare it: what the tasks path reads from one list item.</summary>
internal sealed record DatahubTask(
    string TaskId, string TaskName, long? Status, string TaskType, string SourceType, string TargetType, string DatahubId);

/// <summary>A connect resource as the tests compare it: what the resources path reads from one list item.</summary>
internal sealed record ConnectResource(string ResourceId, string ResourceName, long? Status, string Type);

/// <summary>Whole lists read the way a scrape reads them (<see cref="CkafkaClient.ListAsync{T}"/> with the path's
/// own <see cref="ScrapePath.Read"/>), as records the tests can compare.</summary>
internal static class CkafkaListing
{
    public static DatahubTask ReadTask(JsonElement item) => ToTask(DatahubTasksPath.Path.Read(item));

    public static ConnectResource ReadResource(JsonElement item) => ToResource(ConnectResourcesPath.Path.Read(item));

    public static async Task<IReadOnlyList<DatahubTask>> DescribeDatahubTasksAsync(
        this CkafkaClient client, ApiTarget target, CancellationToken cancellationToken) =>
        (await ListAsync(client, target, DatahubTasksPath.Path, cancellationToken)).Select(ToTask).ToList();

    public static async Task<IReadOnlyList<ConnectResource>> DescribeConnectResourcesAsync(
        this CkafkaClient client, ApiTarget target, CancellationToken cancellationToken) =>
        (await ListAsync(client, target, ConnectResourcesPath.Path, cancellationToken)).Select(ToResource).ToList();

    private static Task<IReadOnlyList<ListedItem>> ListAsync(CkafkaClient client, ApiTarget target, ScrapePath path, CancellationToken cancellationToken) =>
        client.ListAsync(target, path.Action, path.ListField, CkafkaClient.PageSize, path.Read, static i => i.Id, new ListProgress(), cancellationToken);

    private static DatahubTask ToTask(ListedItem i) => new(i.Id, i.Name, i.Status, i.Details[0], i.Details[1], i.Details[2], i.Details[3]);

    private static ConnectResource ToResource(ListedItem i) => new(i.Id, i.Name, i.Status, i.Details[0]);
}
