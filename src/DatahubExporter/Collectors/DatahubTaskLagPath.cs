using System.Text.Json;
using DatahubExporter.Exposition;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>
/// The <c>/api/v1/ckafka/datahub_task_lag/metrics</c> path (exporter.md "Is data flowing: the task-lag path"): the
/// task list as on the tasks path, then the committed offsets of each running SINK task's consumer group whose
/// source is a CKafka topic (tencent-cloud-api.md §8), as <c>datahub_task_consumer_lag</c> and
/// <c>datahub_task_consumer_current_offset_sum</c> per task and topic.
/// </summary>
internal static class DatahubTaskLagPath
{
    public const string GroupOffsetsAction = "DescribeGroupOffsets";

    public const string DatahubGroupOffsetsAction = "DescribeDatahubGroupOffsets";

    /// <summary>Topics per page of a group answer: the documented default and maximum of both actions (§8).</summary>
    public const int GroupPageSize = 50;

    public static readonly FamilyName Lag = new("datahub_task_consumer_lag",
        "Messages of this topic not yet consumed by the consumer group of a running SINK Datahub task: the sum of Lag over " +
        "the partitions the API reports without error. The group is named by the task_lag_group key (default datahub-{TaskId}, " +
        "inferred, not documented by Tencent).");

    public static readonly FamilyName OffsetSum = new("datahub_task_consumer_current_offset_sum",
        "Sum of the committed offsets of the consumer group of a running SINK Datahub task on this topic (partitions reported " +
        "without error); rate() of it is the task's consume speed. The group is named by the task_lag_group key (default " +
        "datahub-{TaskId}, inferred).");

    // The list is read as on the tasks path; the details keep what the stage needs to pick and call a task.
    private const int TaskTypeDetail = 0;
    private const int SourceTypeDetail = 1;
    private const int SourceResourceDetail = 2;
    private const int SourceTopicDetail = 3;

    public static ScrapePath Path { get; } = DatahubTasksPath.Path with
    {
        Name = "datahub_task_lag",
        Summary = "consumer lag of running SINK tasks",
        HttpPath = "/api/v1/ckafka/datahub_task_lag/metrics",
        Read = ReadTask,
        DetailLabels = ["TaskType", "SourceType", "SourceResource", "SourceTopic"],
        Stage = new ItemStage { Families = [Lag, OffsetSum], RunAsync = CollectLagAsync },
        // The tasks path reports these same tasks' status: the status page and the "status changed" lines would list
        // and count every task not running twice. This path's units show their collections only.
        StatusTexts = StatusTexts.None,
    };

    private static ListedItem ReadTask(JsonElement item)
    {
        var source = CkafkaJson.Property(item, "SourceResource");
        var type = CkafkaJson.String(source, "Type");
        var param = CkafkaJson.Property(source, IsKafka(type) ? "KafkaParam" : "TopicParam");
        return new ListedItem(
            CkafkaJson.String(item, "TaskId"),
            CkafkaJson.String(item, "TaskName"),
            CkafkaJson.Integer(item, "Status"),
            [CkafkaJson.String(item, "TaskType"), type, CkafkaJson.String(param, "Resource"), CkafkaJson.String(param, "Topic")],
            ErrorMessageText.Clean(CkafkaJson.String(item, "ErrorMessage")));
    }

    private static bool IsKafka(string type) => type.Equals("KAFKA", StringComparison.OrdinalIgnoreCase);

    /// <summary>Running (status 1) SINK tasks reading a CKafka topic (source KAFKA or TOPIC) with a resource to name
    /// in the call: the tasks that have a consumer group to lag. SOURCE tasks write into a topic and have none.</summary>
    internal static bool IsEligible(ListedItem task) =>
        task.Status == 1
        && task.Details[TaskTypeDetail].Equals("SINK", StringComparison.OrdinalIgnoreCase)
        && (IsKafka(task.Details[SourceTypeDetail]) || task.Details[SourceTypeDetail].Equals("TOPIC", StringComparison.OrdinalIgnoreCase))
        && task.Details[SourceResourceDetail].Length > 0;

    /// <summary>One group call (plus its pages) per eligible task, the two actions side by side so that each uses its
    /// own rate budget, at most <see cref="CkafkaClient.MaxConcurrentPages"/> tasks in flight per action (the limiter
    /// paces them). A failed call costs its task's series only.</summary>
    private static async Task<StageResult> CollectLagAsync(StageContext context, IReadOnlyList<ListedItem> tasks)
    {
        var eligible = tasks.Where(IsEligible).ToList();
        var samples = new List<Sample>[eligible.Count];
        var failures = 0;
        string? firstError = null;
        await Task.WhenAll(eligible.Select((task, index) => (task, index)).GroupBy(t => IsKafka(t.task.Details[SourceTypeDetail])).Select(byAction =>
            Parallel.ForEachAsync(byAction,
                new ParallelOptions { MaxDegreeOfParallelism = CkafkaClient.MaxConcurrentPages, CancellationToken = context.Token },
                async (entry, token) =>
                {
                    try
                    {
                        samples[entry.index] = await GroupSamplesAsync(context, entry.task, token).ConfigureAwait(false);
                    }
                    catch (TencentCloudException e)
                    {
                        var message = $"{(byAction.Key ? GroupOffsetsAction : DatahubGroupOffsetsAction)} for task {entry.task.Id}: code {e.Code}: {e.Message}";
                        Interlocked.CompareExchange(ref firstError, message, null);
                        Interlocked.Increment(ref failures);
                    }
                }))).ConfigureAwait(false);
        return new StageResult(samples.Where(s => s is not null).SelectMany(s => s).ToList(), eligible.Count, failures, firstError);
    }

    private static async Task<List<Sample>> GroupSamplesAsync(StageContext context, ListedItem task, CancellationToken token)
    {
        var kafka = IsKafka(task.Details[SourceTypeDetail]);
        var resource = task.Details[SourceResourceDetail];
        var group = context.Config.TaskLagGroup.For(task.Id);
        var topics = kafka
            ? task.Details[SourceTopicDetail].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [];
        var answer = await context.Ckafka.ListAsync(context.Target, kafka ? GroupOffsetsAction : DatahubGroupOffsetsAction, "TopicList",
            GroupPageSize, ReadTopic, static t => t.Topic, context.NewProgress(), token, writer =>
            {
                // §8: DescribeGroupOffsets names the instance and (optionally) the topics; the elastic-topic action names the topic.
                writer.WriteString(kafka ? "InstanceId" : "Name", resource);
                writer.WriteString("Group", group);
                if (topics.Length > 0)
                {
                    writer.WriteStartArray("Topics");
                    foreach (var topic in topics)
                    {
                        writer.WriteStringValue(topic);
                    }

                    writer.WriteEndArray();
                }
            }).ConfigureAwait(false);

        // An empty answer is a group with no committed offsets yet: no series, not an error (§8).
        var samples = new List<Sample>(2 * answer.Count);
        foreach (var topic in answer)
        {
            Label[] labels = [new("TaskId", task.Id), new("topic", topic.Topic)];
            if (topic.Lag is { } lag)
            {
                samples.Add(new Sample(Lag.Name, labels, lag));
            }

            if (topic.OffsetSum is { } offsets)
            {
                samples.Add(new Sample(OffsetSum.Name, labels, offsets));
            }
        }

        return samples;
    }

    /// <summary>
    /// One <c>GroupOffsetTopic</c>: the sums over its partitions that are usable. A partition with a non-zero
    /// <c>ErrorCode</c> counts in neither sum; a null or negative <c>Lag</c> (Kafka's "unknown") is left out of the
    /// lag, a null or negative <c>Offset</c> (-1: nothing committed) out of the offset sum. A sum with no partition
    /// in it is null: no series rather than an invented 0.
    /// </summary>
    internal static TopicOffsets ReadTopic(JsonElement topic)
    {
        // Summed as the doubles they are exported as: partitions near long.MaxValue cannot wrap the sum to a negative.
        double? lag = null;
        double? offsets = null;
        var partitions = CkafkaJson.Property(topic, "Partitions");
        if (partitions.ValueKind == JsonValueKind.Array)
        {
            foreach (var partition in partitions.EnumerateArray())
            {
                if (CkafkaJson.Integer(partition, "ErrorCode") is not (null or 0))
                {
                    continue;
                }

                if (CkafkaJson.Integer(partition, "Lag") is long partitionLag and >= 0)
                {
                    lag = (lag ?? 0) + partitionLag;
                }

                if (CkafkaJson.Integer(partition, "Offset") is long offset and >= 0)
                {
                    offsets = (offsets ?? 0) + offset;
                }
            }
        }

        return new TopicOffsets(CkafkaJson.String(topic, "Topic"), lag, offsets);
    }

    /// <summary>One topic of a group answer, summed over its partitions.</summary>
    internal readonly record struct TopicOffsets(string Topic, double? Lag, double? OffsetSum);
}
