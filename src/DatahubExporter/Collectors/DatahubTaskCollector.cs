using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>The <c>/api/v1/ckafka/datahub_tasks/metrics</c> path: <c>datahub_task_status</c> as the original emitted it,
/// plus <c>datahub_task_info</c> for the descriptive labels.</summary>
public sealed class DatahubTaskCollector(CkafkaClient ckafka, ConfigHolder config, ScrapeMetrics scrapeMetrics, TimeSpan cacheTtl, ILogger<DatahubTaskCollector> logger, TimeProvider time)
    : ScrapeCollector<DatahubTask>(config, scrapeMetrics, cacheTtl, logger, time)
{
    public const string StatusHelp =
        "Status code of a CKafka Datahub task as the API reports it: -1 create failed, 0 creating, 1 running, 2 deleting, 3 deleted, " +
        "4 delete failed, 5 pausing, 6 paused, 7 pause failed, 8 resuming, 9 resume failed.";

    public override string Name => "datahub_tasks";

    protected override string ErrorCountName => "datahub_task_error_count";

    protected override string ErrorCountHelp =>
        "Failed collections of Datahub tasks for this region since the exporter started. Only ever rises: a gauge by history " +
        "(kept for compatibility with the original exporter), alert on increase() over a window.";

    protected override Task<IReadOnlyList<DatahubTask>> FetchAsync(ApiTarget target, CancellationToken cancellationToken) =>
        ckafka.DescribeDatahubTasksAsync(target, cancellationToken);

    protected override void AddItemFamilies(IReadOnlyList<RegionOutcome<DatahubTask>> successful, List<MetricFamily> families) =>
        AddStatusAndInfo(successful, families,
            ("datahub_task_status", StatusHelp),
            ("datahub_task_info", "Descriptive labels of a CKafka Datahub task (type, source and target resource types, Datahub id); always 1."),
            t => t.Status,
            t => [new Label("TaskId", t.TaskId), new Label("TaskName", t.TaskName)],
            t => [new Label("TaskType", t.TaskType), new Label("SourceType", t.SourceType), new Label("TargetType", t.TargetType), new Label("DatahubId", t.DatahubId)]);
}
