namespace DatahubExporter.TencentCloud;

/// <summary>STUB: replaced by the TencentCloud helper.</summary>
public sealed class CkafkaClient(TencentCloudClient api)
{
    public Task<IReadOnlyList<DatahubTask>> DescribeDatahubTasksAsync(ApiTarget target, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    public Task<IReadOnlyList<ConnectResource>> DescribeConnectResourcesAsync(ApiTarget target, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
