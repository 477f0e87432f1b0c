using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>The <c>/api/v1/ckafka/datahub_tasks/metrics</c> path: <c>datahub_task_status</c> as the original
/// emitted it, plus <c>datahub_task_info</c> and <c>datahub_task_error_info</c>.</summary>
internal static class DatahubTasksPath
{
    public static readonly string StatusHelp = $"Status code of a CKafka Datahub task as the API reports it: {StatusTexts.Tasks.Describe()}.";

    public static ScrapePath Path { get; } = new()
    {
        Name = "datahub_tasks",
        Summary = "Datahub task status",
        HttpPath = "/api/v1/ckafka/datahub_tasks/metrics",
        Action = "DescribeDatahubTasks",
        ListField = "TaskList",
        Read = item => new ListedItem(
            CkafkaJson.String(item, "TaskId"),
            CkafkaJson.String(item, "TaskName"),
            CkafkaJson.Integer(item, "Status"),
            [
                CkafkaJson.String(item, "TaskType"),
                CkafkaJson.String(CkafkaJson.Property(item, "SourceResource"), "Type"),
                CkafkaJson.String(CkafkaJson.Property(item, "TargetResource"), "Type"),
                CkafkaJson.String(item, "DatahubId"),
            ],
            ErrorMessageText.Clean(CkafkaJson.String(item, "ErrorMessage"))),
        Filter = config => config.TaskFilter,
        IdLabel = "TaskId",
        NameLabel = "TaskName",
        DetailLabels = ["TaskType", "SourceType", "TargetType", "DatahubId"],
        ErrorCount = new("datahub_task_error_count",
            "Failed collections of Datahub tasks for this region since the exporter started. Only ever rises: a gauge by history " +
            "(kept for compatibility with the original exporter), alert on increase() over a window."),
        Status = new("datahub_task_status", StatusHelp),
        StatusTexts = StatusTexts.Tasks,
        Info = new("datahub_task_info", "Descriptive labels of a CKafka Datahub task (type, source and target resource types, Datahub id); always 1."),
        ErrorInfo = new("datahub_task_error_info",
            "The API's ErrorMessage of a CKafka Datahub task that has one (control characters removed, whitespace collapsed, cut to 200 characters); always 1."),
    };
}
