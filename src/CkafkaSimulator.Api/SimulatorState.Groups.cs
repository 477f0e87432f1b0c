namespace CkafkaSimulator;

/// <summary>One partition of a simulated consumer group: its committed offset and the topic's end offset.</summary>
public readonly record struct GroupPartition(long Offset, long LogEndOffset)
{
    /// <summary>Messages not yet consumed (§8 <c>Lag</c>).</summary>
    public long Lag => LogEndOffset - Offset;
}

/// <summary>One topic of a simulated consumer group (§8 <c>GroupOffsetTopic</c>).</summary>
public sealed record GroupTopic(string Topic, IReadOnlyList<GroupPartition> Partitions)
{
    public long Lag => Partitions.Sum(p => p.Lag);

    public long OffsetSum => Partitions.Sum(p => p.Offset);
}

// The consumer groups of the SINK tasks that read a CKafka topic (§8), named datahub-<TaskId>: made from the task id
// on first use (deterministic), then moved by SetTaskLag and ConsumeMessages. Kept by task id, so every region that
// serves a task sees its one group.
public sealed partial class SimulatorState
{
    /// <summary>The group name the simulator gives a task's consumer group: the exporter's default pattern.</summary>
    public const string GroupPrefix = "datahub-";

    private const int PartitionsPerTopic = 3;

    private readonly Dictionary<string, GroupTopic[]> _groups = new(StringComparer.Ordinal);

    /// <summary>Whether a task has a consumer group here: a SINK reading a CKafka instance's topic (KAFKA) or an
    /// elastic topic (TOPIC), whatever its status. SOURCE tasks write into a topic and have none.</summary>
    public static bool HasGroup(SimulatedTask task) =>
        task.TaskType == "SINK" && task.SourceType is "KAFKA" or "TOPIC" && !string.IsNullOrEmpty(task.SourceResourceId);

    /// <summary>The topics a task's group has read, with their offsets now; null when the task has no group.</summary>
    public IReadOnlyList<GroupTopic>? GroupOffsets(string taskId, string? region = null)
    {
        var task = Data(region ?? "").FindTask(taskId);
        if (task is null || !HasGroup(task))
        {
            return null;
        }
        lock (_gate)
        {
            return GroupLocked(task);
        }
    }

    /// <summary>Sets the lag of every topic of a task's group to <paramref name="lag"/> messages (spread over its partitions)
    /// by moving the end offsets; the committed offsets stay. False when the task has no group.</summary>
    public bool SetTaskLag(string taskId, long lag, string? region = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lag);
        return ChangeGroup(taskId, region, topic => Spread(topic, lag, (p, share) => p with { LogEndOffset = p.Offset + share }));
    }

    /// <summary>The group commits <paramref name="messages"/> more messages on every topic (spread over its partitions);
    /// where fewer were waiting, the end offset moves along (the producer wrote them meanwhile). False when the task has no group.</summary>
    public bool ConsumeMessages(string taskId, long messages, string? region = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messages);
        return ChangeGroup(taskId, region, topic => Spread(topic, messages, (p, share) =>
            new GroupPartition(p.Offset + share, Math.Max(p.LogEndOffset, p.Offset + share))));
    }

    /// <summary>The group a request names, in a region: null when no task of that region owns it (an unknown group).</summary>
    internal (SimulatedTask Task, IReadOnlyList<GroupTopic> Topics)? FindGroup(string region, string group)
    {
        if (!group.StartsWith(GroupPrefix, StringComparison.Ordinal) || Data(region).FindTask(group[GroupPrefix.Length..]) is not { } task || !HasGroup(task))
        {
            return null;
        }
        lock (_gate)
        {
            return (task, GroupLocked(task));
        }
    }

    private bool ChangeGroup(string taskId, string? region, Func<GroupTopic, GroupTopic> change)
    {
        var task = Data(region ?? "").FindTask(taskId);
        if (task is null || !HasGroup(task))
        {
            return false;
        }
        lock (_gate)
        {
            _groups[taskId] = GroupLocked(task).Select(change).ToArray();
            return true;
        }
    }

    private static GroupTopic Spread(GroupTopic topic, long total, Func<GroupPartition, long, GroupPartition> apply)
    {
        var n = topic.Partitions.Count;
        var share = total / n;
        return topic with { Partitions = topic.Partitions.Select((p, i) => apply(p, i == 0 ? total - share * (n - 1) : share)).ToArray() };
    }

    private GroupTopic[] GroupLocked(SimulatedTask task)
    {
        if (_groups.TryGetValue(task.TaskId, out var known))
        {
            return known;
        }
        var topics = task.SourceType == "TOPIC"
            ? [task.SourceResourceId!]
            : task.SourceTopics?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } named
                ? named
                : [task.SourceResourceId + "-events"];
        var made = topics.Select(topic =>
        {
            var hash = Fnv1a(task.TaskId + "/" + topic);
            return new GroupTopic(topic, Enumerable.Range(0, PartitionsPerTopic).Select(p =>
            {
                var offset = 1_000 + (long)((hash >> (8 * p)) % 100_000);
                return new GroupPartition(offset, offset + (long)((hash >> (8 * p + 20)) % 100));
            }).ToArray());
        }).ToArray();
        _groups[task.TaskId] = made;
        return made;
    }

    /// <summary>A stable hash (string.GetHashCode changes per process): the same task has the same offsets in every run.</summary>
    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
