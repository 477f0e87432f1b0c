using System.Globalization;

namespace CkafkaSimulator;

/// <summary>
/// The tasks and connect resources one region serves, in list order. Immutable; <see cref="SimulatorState"/>
/// derives changed copies. <see cref="Generate"/> is deterministic for a given seed.
/// </summary>
public sealed class SimulatorDataSet
{
    /// <summary>Every documented task status (spec §3).</summary>
    public static readonly IReadOnlyList<long> TaskStatuses = [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

    /// <summary>Every documented resource status (spec §3; there is no 3).</summary>
    public static readonly IReadOnlyList<long> ResourceStatuses = [-1, 0, 1, 2, 4, 5, 6, 7];

    /// <summary>
    /// Names that break naive label escaping, JSON writers, and length assumptions. A null entry is a
    /// null name. The exporter must survive every one of them.
    /// </summary>
    public static readonly IReadOnlyList<string?> HostileNames =
    [
        "quote\"inside",
        "back\\slash\\",
        "new\nline",
        "tab\tand\rreturn",
        "数据同步任务",
        "emoji 🚀🔥 name",
        new string('x', 2000),
        "",
        null,
        "{label=\"injected\"} 1",
        "# HELP fake",
        " padded ",
        "ctrl\u0001char",
        "ünïcödé",
        "dup-name",
        "dup-name",
    ];

    private static readonly string[] SourceTypes = ["MYSQL", "POSTGRESQL", "MONGODB", "HTTP", "MQTT", "SQLSERVER", "MARIADB"];
    private static readonly string[] TargetTypes = ["ES", "COS", "CLS", "CLICKHOUSE", "DORIS", "SCF", "CTSDB", "MYSQL"];
    private static readonly string[] Steps = ["create task", "check resource", "start connector", "running"];

    // What the demo's items are named after; see Demo.
    private static readonly string[] DemoNames =
        ["orders", "payments", "users", "inventory", "shipments", "clickstream", "billing", "audit-log", "search-index", "notifications"];

    public SimulatorDataSet(IEnumerable<SimulatedTask> tasks, IEnumerable<SimulatedResource> resources)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(resources);
        Tasks = tasks.ToArray();
        Resources = resources.ToArray();
        ThrowOnDuplicate(Tasks.Select(t => t.TaskId), "TaskId");
        ThrowOnDuplicate(Resources.Select(r => r.ResourceId), "ResourceId");
    }

    public IReadOnlyList<SimulatedTask> Tasks { get; }

    private Dictionary<string, SimulatedTask>? _tasksById;

    /// <summary>The task with this id, or null (an index built on first use; the data set is immutable).</summary>
    public SimulatedTask? FindTask(string taskId)
    {
        var index = Volatile.Read(ref _tasksById);
        if (index is null)
        {
            index = Tasks.ToDictionary(t => t.TaskId, StringComparer.Ordinal);
            Volatile.Write(ref _tasksById, index);
        }
        return index.GetValueOrDefault(taskId);
    }

    public IReadOnlyList<SimulatedResource> Resources { get; }

    /// <summary>An empty data set (TotalCount 0).</summary>
    public static SimulatorDataSet Empty { get; } = new([], []);

    /// <summary>
    /// A deterministic data set. With <paramref name="hostileNames"/> the first items carry
    /// <see cref="HostileNames"/>. Unless <paramref name="allRunning"/>, every fourth item cycles through the
    /// documented status codes and the rest are 1 (running), so a few hundred items cover every code.
    /// With <paramref name="lagSinks"/> exactly one task in five reads a CKafka topic with a consumer group
    /// (<see cref="ShapeForLag"/>), alternately from a CKafka instance (source KAFKA) and an elastic topic (TOPIC).
    /// </summary>
    public static SimulatorDataSet Generate(int tasks, int resources, bool hostileNames = true, int seed = 1, bool allRunning = false,
        bool lagSinks = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tasks);
        ArgumentOutOfRangeException.ThrowIfNegative(resources);
        var random = new Random(seed);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

        var resourceList = new List<SimulatedResource>(resources);
        for (var i = 0; i < resources; i++)
        {
            var status = allRunning || i % 4 != 3 ? 1 : ResourceStatuses[i / 4 % ResourceStatuses.Count];
            var type = i % 3 == 0 ? "KAFKA" : SourceTypes[random.Next(SourceTypes.Length)];
            resourceList.Add(new SimulatedResource
            {
                ResourceId = UniqueId("resource-", random, ids),
                ResourceName = hostileNames && i < HostileNames.Count ? HostileNames[i] : $"resource-name-{i:D4}",
                Type = type,
                Status = status,
                CreateTime = Time(epoch, random),
                ErrorMessage = IsFailedResource(status) ? "connection refused by upstream" : "",
                DatahubTaskCount = random.Next(0, 5),
                CurrentStep = status == 0 ? Steps[1] : Steps[^1],
                TaskProgress = status == 0 ? 50 : 100,
                StepList = Steps,
                Description = i % 5 == 0 ? null : "generated",
                Tags = i % 2 == 0 ? [new("env", "sim")] : [],
            });
        }

        var taskList = new List<SimulatedTask>(tasks);
        for (var i = 0; i < tasks; i++)
        {
            var status = allRunning || i % 4 != 3 ? 1 : TaskStatuses[i / 4 % TaskStatuses.Count];
            var isSource = i % 2 == 0;
            var linked = resourceList.Count > 0 ? resourceList[random.Next(resourceList.Count)].ResourceId : null;
            taskList.Add(new SimulatedTask
            {
                TaskId = UniqueId("task-", random, ids),
                TaskName = hostileNames && i < HostileNames.Count ? HostileNames[i] : $"task-name-{i:D4}",
                TaskType = isSource ? "SOURCE" : "SINK",
                Status = status,
                SourceType = isSource ? SourceTypes[random.Next(SourceTypes.Length)] : "TOPIC",
                SourceResourceId = isSource ? linked : UniqueId("topic-", random, ids),
                TargetType = isSource ? "TOPIC" : TargetTypes[random.Next(TargetTypes.Length)],
                TargetResourceId = isSource ? UniqueId("topic-", random, ids) : linked,
                CreateTime = Time(epoch, random),
                ErrorMessage = IsFailedTask(status) ? "task failed: upstream unreachable" : "",
                WarnMessage = i % 7 == 0 ? "throughput close to SyncThrottleLimit" : "",
                TaskProgress = status == 0 ? 42.5 : 100,
                TaskCurrentStep = status == 0 ? Steps[2] : Steps[^1],
                DatahubId = UniqueId("datahub-", random, ids),
                StepList = Steps,
                Description = i % 5 == 0 ? null : "generated",
            });
            if (lagSinks)
            {
                taskList[i] = ShapeForLag(taskList[i], i);
            }
        }

        return new SimulatorDataSet(taskList, resourceList);
    }

    /// <summary>
    /// What <c>--demo</c> serves: <see cref="Generate"/>'s items (ids, statuses, messages) under names like a real
    /// account's (<c>orders-mysql-to-ckafka</c>, <c>payments-mysql</c>), so the first screen of a scrape reads like
    /// production, with one task in five a running SINK whose consumer group the lag path reads. The hostile names stay
    /// in <see cref="Generate"/>'s default, which the tests use.
    /// </summary>
    public static SimulatorDataSet Demo(int tasks = 250, int resources = 120, int seed = 1)
    {
        var plain = Generate(tasks, resources, hostileNames: false, seed: seed, lagSinks: true);
        return new SimulatorDataSet(
            plain.Tasks.Select((t, i) => t with { TaskName = $"{DemoName(i)}-{DemoType(t.SourceType)}-to-{DemoType(t.TargetType)}{DemoSuffix(i)}" }),
            plain.Resources.Select((r, i) => r with { ResourceName = $"{DemoName(i)}-{DemoType(r.Type)}{DemoSuffix(i)}" }));
    }

    private static string DemoName(int i) => DemoNames[i % DemoNames.Length];

    private static string DemoSuffix(int i) => i < DemoNames.Length ? "" : $"-{i / DemoNames.Length + 1}";

    // A task's TOPIC end is a CKafka topic.
    private static string DemoType(string type) => type == "TOPIC" ? "ckafka" : type.ToLowerInvariant();

    /// <summary>
    /// The lag shape of task <paramref name="i"/> (a SINK when odd): i % 10 == 1 is a running SINK reading a CKafka
    /// instance (KafkaParam.Topic naming two topics when i % 20 == 1, none when 11); i % 10 == 5 a running SINK reading
    /// an elastic topic; the other SINK tasks are not running (6, paused, in place of 1), so that exactly one task in
    /// five has a consumer group the lag path reads. Made without the random generator, so the rest stays as it was.
    /// </summary>
    private static SimulatedTask ShapeForLag(SimulatedTask task, int i) => (i % 10) switch
    {
        1 => task with
        {
            Status = 1, SourceType = "KAFKA", SourceResourceId = $"ckafka-{i:D8}", SourceTopics = i % 20 == 1 ? $"orders-{i},payments-{i}" : null,
            ErrorMessage = "",
        },
        5 => task with { Status = 1, ErrorMessage = "" },
        3 or 7 or 9 when task.Status == 1 => task with { Status = 6 },
        _ => task,
    };

    private static bool IsFailedTask(long status) => status is -1 or 4 or 7 or 9;

    private static bool IsFailedResource(long status) => status is -1 or 4 or 6 or 7;

    private static string Time(DateTime epoch, Random random) =>
        epoch.AddSeconds(random.Next(0, 365 * 24 * 3600)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string UniqueId(string prefix, Random random, HashSet<string> taken)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> suffix = stackalloc char[8];
        while (true)
        {
            for (var i = 0; i < suffix.Length; i++)
            {
                suffix[i] = alphabet[random.Next(alphabet.Length)];
            }
            var id = prefix + new string(suffix);
            if (taken.Add(id))
            {
                return id;
            }
        }
    }

    private static void ThrowOnDuplicate(IEnumerable<string> ids, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new ArgumentException($"every item needs a non-empty {what}");
            }
            if (!seen.Add(id))
            {
                throw new ArgumentException($"duplicate {what} '{id}'");
            }
        }
    }
}
