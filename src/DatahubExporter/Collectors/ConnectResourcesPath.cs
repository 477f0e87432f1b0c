using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>The <c>/api/v1/ckafka/connect_resources/metrics</c> path: <c>connect_resource_status</c> as the
/// original emitted it, plus <c>connect_resource_info</c> and <c>connect_resource_error_info</c>.</summary>
internal static class ConnectResourcesPath
{
    public static readonly string StatusHelp = $"Status code of a CKafka connect resource as the API reports it: {StatusTexts.Resources.Describe()}.";

    public static ScrapePath Path { get; } = new()
    {
        Name = "connect_resources",
        Summary = "connect resource status",
        HttpPath = "/api/v1/ckafka/connect_resources/metrics",
        Action = "DescribeConnectResources",
        ListField = "ConnectResourceList",
        // The documented maximum since 2025 (tencent-cloud-api.md §2.4); older deployments refuse it and get 100.
        PreferredLimit = 1000,
        Read = item => new ListedItem(
            CkafkaJson.String(item, "ResourceId"),
            CkafkaJson.String(item, "ResourceName"),
            CkafkaJson.Integer(item, "Status"),
            [CkafkaJson.String(item, "Type")],
            ErrorMessageText.Clean(CkafkaJson.String(item, "ErrorMessage"))),
        Filter = config => config.ResourceFilter,
        IdLabel = "ResourceId",
        NameLabel = "ResourceName",
        DetailLabels = ["Type"],
        ErrorCount = new("connect_resource_error_count",
            "Failed collections of connect resources for this region since the exporter started. Only ever rises: a gauge by history " +
            "(kept for compatibility with the original exporter), alert on increase() over a window."),
        Status = new("connect_resource_status", StatusHelp),
        StatusTexts = StatusTexts.Resources,
        Info = new("connect_resource_info", "Descriptive labels of a CKafka connect resource (its type); always 1."),
        ErrorInfo = new("connect_resource_error_info",
            "The API's ErrorMessage of a CKafka connect resource that has one (control characters removed, whitespace collapsed, cut to 200 characters); always 1."),
    };
}
