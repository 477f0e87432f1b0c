using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CkafkaSimulator;

/// <summary>
/// Writes Tencent-shaped answers (spec §2.3, §2.4, §4.1) with Utf8JsonWriter. The relaxed encoder keeps
/// CJK as raw UTF-8, as Tencent sends it, while quotes, backslashes and control characters stay escaped.
/// </summary>
internal static class ResponseJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>DatahubResource per-type objects (§2.3), keyed by the Type that uses them.</summary>
    private static readonly (string Type, string Field)[] TaskParams =
    [
        ("KAFKA", "KafkaParam"), ("EB_", "EventBusParam"), ("MONGODB", "MongoDBParam"), ("ES", "EsParam"), ("TDW", "TdwParam"),
        ("DTS", "DtsParam"), ("CLICKHOUSE", "ClickHouseParam"), ("CLS", "ClsParam"), ("COS", "CosParam"), ("MYSQL", "MySQLParam"),
        ("POSTGRESQL", "PostgreSQLParam"), ("TOPIC", "TopicParam"), ("MARIADB", "MariaDBParam"), ("SQLSERVER", "SQLServerParam"),
        ("CTSDB", "CtsdbParam"), ("SCF", "ScfParam"), ("MQTT", "MqttParam"), ("ICEBERG", "IcebergParam"),
    ];

    /// <summary>Connect resource per-type objects (§2.4).</summary>
    private static readonly (string Type, string Field)[] ResourceParams =
    [
        ("DTS", "DtsConnectParam"), ("MONGODB", "MongoDBConnectParam"), ("ES", "EsConnectParam"), ("CLICKHOUSE", "ClickHouseConnectParam"),
        ("MYSQL", "MySQLConnectParam"), ("POSTGRESQL", "PostgreSQLConnectParam"), ("MARIADB", "MariaDBConnectParam"),
        ("SQLSERVER", "SQLServerConnectParam"), ("CTSDB", "CtsdbConnectParam"), ("DORIS", "DorisConnectParam"),
        ("KAFKA", "KafkaConnectParam"), ("MQTT", "MqttConnectParam"), ("ICEBERG", "IcebergConnectParam"),
    ];

    public static byte[] Error(string code, string message, string requestId)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("Response");
            w.WriteStartObject("Error");
            w.WriteString("Code", code);
            w.WriteString("Message", message);
            w.WriteEndObject();
            w.WriteString("RequestId", requestId);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A list answer. <paramref name="nullList"/> writes the list as JSON null; <paramref name="nullItemFields"/>
    /// nulls or drops fields by item position (<see cref="NullMode"/>).</summary>
    public static byte[] List<T>(
        string listField, long totalCount, IReadOnlyList<T> page, Action<Utf8JsonWriter, T, NullMode> writeItem,
        bool nullList, bool nullItemFields, int paddingBytes, string requestId)
    {
        var buffer = new ArrayBufferWriter<byte>(4096 + page.Count * 900 + paddingBytes);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("Response");
            w.WriteStartObject("Result");
            w.WriteNumber("TotalCount", totalCount);
            if (nullList)
            {
                w.WriteNull(listField);
            }
            else
            {
                w.WriteStartArray(listField);
                for (var i = 0; i < page.Count; i++)
                {
                    writeItem(w, page[i], nullItemFields ? (NullMode)(i % 4) : NullMode.None);
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            WritePadding(w, paddingBytes);
            w.WriteString("RequestId", requestId);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>DescribeConnectResource (one by id, §2.5): no DatahubTaskCount, no TaskProgress.</summary>
    public static byte[] Single(SimulatedResource resource, int paddingBytes, string requestId)
    {
        var buffer = new ArrayBufferWriter<byte>(2048 + paddingBytes);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("Response");
            w.WritePropertyName("Result");
            WriteResourceBody(w, resource, NullMode.None, single: true);
            WritePadding(w, paddingBytes);
            w.WriteString("RequestId", requestId);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>How a NullFields fault damages the item at a page position (cycling through the four).</summary>
    public enum NullMode
    {
        /// <summary>Every field but the id is JSON null.</summary>
        AllNull = 0,

        /// <summary>Only the id is present; every other field is missing.</summary>
        Missing = 1,

        /// <summary>The id is null; the rest is normal.</summary>
        NullId = 2,

        /// <summary>Undamaged.</summary>
        None = 3,
    }

    public static void WriteTask(Utf8JsonWriter w, SimulatedTask t, NullMode mode)
    {
        w.WriteStartObject();
        if (mode == NullMode.NullId)
        {
            w.WriteNull("TaskId");
        }
        else
        {
            w.WriteString("TaskId", t.TaskId);
        }
        if (mode == NullMode.Missing)
        {
            w.WriteEndObject();
            return;
        }
        var nul = mode == NullMode.AllNull;
        OptionalString(w, "TaskName", nul ? null : t.TaskName);
        OptionalString(w, "TaskType", nul ? null : t.TaskType);
        if (nul)
        {
            w.WriteNull("Status");
            w.WriteNull("SourceResource");
            w.WriteNull("TargetResource");
            w.WriteNull("CreateTime");
            w.WriteNull("ErrorMessage");
            w.WriteNull("TaskProgress");
            w.WriteNull("TaskCurrentStep");
            w.WriteNull("DatahubId");
            w.WriteNull("StepList");
            w.WriteNull("Description");
            w.WriteEndObject();
            return;
        }
        w.WriteNumber("Status", t.Status);
        WriteDatahubResource(w, "SourceResource", t.SourceType, t.SourceResourceId, t.SourceTopics);
        WriteDatahubResource(w, "TargetResource", t.TargetType, t.TargetResourceId, null);
        w.WriteString("CreateTime", t.CreateTime);
        OptionalString(w, "ErrorMessage", t.ErrorMessage);
        w.WriteNumber("TaskProgress", t.TaskProgress);
        OptionalString(w, "TaskCurrentStep", t.TaskCurrentStep);
        OptionalString(w, "DatahubId", t.DatahubId);
        StringArray(w, "StepList", t.StepList);
        OptionalString(w, "Description", t.Description);
        w.WriteNumber("TaskMax", 1);
        w.WriteNumber("SyncThrottleLimit", 20);
        w.WriteBoolean("AutoExpandFlag", true);
        OptionalString(w, "WarnMessage", t.WarnMessage);
        w.WriteEndObject();
    }

    public static void WriteResource(Utf8JsonWriter w, SimulatedResource r, NullMode mode) => WriteResourceBody(w, r, mode, single: false);

    private static void WriteResourceBody(Utf8JsonWriter w, SimulatedResource r, NullMode mode, bool single)
    {
        w.WriteStartObject();
        if (mode == NullMode.NullId)
        {
            w.WriteNull("ResourceId");
        }
        else
        {
            w.WriteString("ResourceId", r.ResourceId);
        }
        if (mode == NullMode.Missing)
        {
            w.WriteEndObject();
            return;
        }
        if (mode == NullMode.AllNull)
        {
            foreach (var name in (string[])["ResourceName", "Description", "Type", "Status", "CreateTime", "ErrorMessage",
                         "DatahubTaskCount", "CurrentStep", "TaskProgress", "StepList", "Tags"])
            {
                w.WriteNull(name);
            }
            w.WriteEndObject();
            return;
        }
        OptionalString(w, "ResourceName", r.ResourceName);
        OptionalString(w, "Description", r.Description);
        w.WriteString("Type", r.Type);
        w.WriteNumber("Status", r.Status);
        w.WriteString("CreateTime", r.CreateTime);
        OptionalString(w, "ErrorMessage", r.ErrorMessage);
        if (!single)
        {
            w.WriteNumber("DatahubTaskCount", r.DatahubTaskCount);
        }
        OptionalString(w, "CurrentStep", r.CurrentStep);
        if (!single)
        {
            w.WriteNumber("TaskProgress", r.TaskProgress);
        }
        StringArray(w, "StepList", r.StepList);
        foreach (var (type, field) in ResourceParams)
        {
            if (type != r.Type)
            {
                // The doc example shows unused per-type objects as explicit null (§2.3).
                w.WriteNull(field);
                continue;
            }
            w.WriteStartObject(field);
            w.WriteString("Resource", r.ResourceId);
            if (type == "KAFKA")
            {
                w.WriteString("Region", "ap-guangzhou");
                w.WriteString("BrokerAddress", "10.0.0.1:9092");
                w.WriteBoolean("SelfBuilt", false);
                w.WriteBoolean("IsUpdate", false);
            }
            w.WriteEndObject();
        }
        w.WriteStartArray("Tags");
        foreach (var (key, value) in r.Tags)
        {
            w.WriteStartObject();
            w.WriteString("TagKey", key);
            w.WriteString("TagValue", value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteDatahubResource(Utf8JsonWriter w, string property, string type, string? resourceId, string? topics)
    {
        w.WriteStartObject(property);
        w.WriteString("Type", type);
        foreach (var (paramType, field) in TaskParams)
        {
            if (paramType != type)
            {
                w.WriteNull(field);
                continue;
            }
            w.WriteStartObject(field);
            OptionalString(w, "Resource", resourceId);
            if (topics is not null)
            {
                w.WriteString("Topic", topics);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>One GroupOffsetTopic (§8); <paramref name="damaged"/> (the PartitionErrors fault) gives its first
    /// partition ErrorCode 3 and its second null Offset, LogEndOffset and Lag.</summary>
    public static void WriteGroupTopic(Utf8JsonWriter w, GroupTopic topic, NullMode mode, bool damaged)
    {
        w.WriteStartObject();
        if (mode == NullMode.NullId || mode == NullMode.AllNull)
        {
            w.WriteNull("Topic");
        }
        else
        {
            w.WriteString("Topic", topic.Topic);
        }
        if (mode == NullMode.Missing)
        {
            w.WriteEndObject();
            return;
        }
        if (mode == NullMode.AllNull)
        {
            w.WriteNull("Partitions");
            w.WriteEndObject();
            return;
        }
        w.WriteStartArray("Partitions");
        for (var p = 0; p < topic.Partitions.Count; p++)
        {
            var partition = topic.Partitions[p];
            var nulls = damaged && p == 1;
            w.WriteStartObject();
            w.WriteNumber("Partition", p);
            NumberOrNull(w, "Offset", nulls ? null : partition.Offset);
            w.WriteString("Metadata", "");
            w.WriteNumber("ErrorCode", damaged && p == 0 ? 3 : 0);
            NumberOrNull(w, "LogEndOffset", nulls ? null : partition.LogEndOffset);
            NumberOrNull(w, "Lag", nulls ? null : partition.Lag);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void NumberOrNull(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WritePadding(Utf8JsonWriter w, int bytes)
    {
        if (bytes > 0)
        {
            w.WriteString("Padding", new string('a', bytes));
        }
    }

    private static void OptionalString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void StringArray(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }
        w.WriteEndArray();
    }
}
