using DatahubExporter.Exposition;

namespace DatahubExporter.Benchmarks;

/// <summary>Metric families shaped like a big tasks path: status and info series per task, every tenth name
/// needing escaping (quote, backslash, newline) and some non-ASCII, as real task names do.</summary>
internal static class SeriesFactory
{
    public static IReadOnlyList<MetricFamily> TaskFamilies(int series)
    {
        var tasks = series / 2;
        var status = new List<Sample>(tasks);
        var info = new List<Sample>(tasks);
        for (var i = 0; i < tasks; i++)
        {
            var region = i % 2 == 0 ? "ap-guangzhou" : "ap-shanghai";
            var id = $"task-{i:x8}";
            var name = i % 10 == 0 ? $"sync \"orders\" \\ line\nbreak {i}" : i % 10 == 1 ? $"数据同步任务-{i}" : $"task-name-{i:D5}";
            status.Add(new Sample("datahub_task_status", [new("region", region), new("TaskId", id), new("TaskName", name)], i % 11 - 1));
            info.Add(new Sample("datahub_task_info",
                [new("region", region), new("TaskId", id), new("TaskName", name), new("TaskType", "SOURCE"), new("SourceType", "MYSQL"), new("TargetType", "TOPIC"),
                    new("DatahubId", $"datahub-{i:x8}")], 1));
        }

        return
        [
            new MetricFamily("datahub_task_status", "Status code of the Datahub task: -1 create failed, 0 creating, 1 running, ...", MetricType.Gauge, status),
            new MetricFamily("datahub_task_info", "Descriptive labels of the Datahub task; always 1.", MetricType.Gauge, info),
        ];
    }
}
