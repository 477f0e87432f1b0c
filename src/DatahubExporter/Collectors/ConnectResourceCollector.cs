using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>The <c>/api/v1/ckafka/connect_resources/metrics</c> path: <c>connect_resource_status</c> as the original
/// emitted it, plus <c>connect_resource_info</c>.</summary>
public sealed class ConnectResourceCollector(CkafkaClient ckafka, ConfigHolder config, ScrapeMetrics scrapeMetrics, TimeSpan cacheTtl, ILogger<ConnectResourceCollector> logger, TimeProvider time)
    : ScrapeCollector<ConnectResource>(config, scrapeMetrics, cacheTtl, logger, time)
{
    public const string StatusHelp =
        "Status code of a CKafka connect resource as the API reports it: -1 create failed, 0 creating, 1 running, 2 deleting, " +
        "4 delete failed, 5 config changing, 6 config change failed, 7 abnormal.";

    public override string Name => "connect_resources";

    protected override string ErrorCountName => "connect_resource_error_count";

    protected override string ErrorCountHelp =>
        "Failed collections of connect resources for this region since the exporter started. Only ever rises: a gauge by history " +
        "(kept for compatibility with the original exporter), alert on increase() over a window.";

    protected override Task<IReadOnlyList<ConnectResource>> FetchAsync(ApiTarget target, CancellationToken cancellationToken) =>
        ckafka.DescribeConnectResourcesAsync(target, cancellationToken);

    protected override void AddItemFamilies(IReadOnlyList<RegionOutcome<ConnectResource>> successful, List<MetricFamily> families) =>
        AddStatusAndInfo(successful, families,
            ("connect_resource_status", StatusHelp),
            ("connect_resource_info", "Descriptive labels of a CKafka connect resource (its type); always 1."),
            r => r.Status,
            r => [new Label("ResourceId", r.ResourceId), new Label("ResourceName", r.ResourceName)],
            r => [new Label("Type", r.Type)]);
}
