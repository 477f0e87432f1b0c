using System.Text.Json;

namespace CkafkaSimulator;

/// <summary>
/// The body parameters of one simulated action, checked as strictly as Tencent does: unknown names are
/// UnknownParameter, wrong types and out-of-range values InvalidParameterValue (spec §2.3, §2.4, §4.2).
/// </summary>
internal sealed class ApiParameters
{
    private static readonly Dictionary<string, Dictionary<string, JsonValueKind>> Schemas = new(StringComparer.Ordinal)
    {
        ["DescribeDatahubTasks"] = new(StringComparer.Ordinal)
        {
            ["Limit"] = JsonValueKind.Number, ["Offset"] = JsonValueKind.Number, ["SearchWord"] = JsonValueKind.String,
            ["TargetType"] = JsonValueKind.String, ["TaskType"] = JsonValueKind.String, ["SourceType"] = JsonValueKind.String,
            ["Resource"] = JsonValueKind.String,
        },
        ["DescribeConnectResources"] = new(StringComparer.Ordinal)
        {
            ["Type"] = JsonValueKind.String, ["SearchWord"] = JsonValueKind.String, ["Offset"] = JsonValueKind.Number,
            ["Limit"] = JsonValueKind.Number, ["ResourceRegion"] = JsonValueKind.String,
        },
        ["DescribeConnectResource"] = new(StringComparer.Ordinal)
        {
            ["ResourceId"] = JsonValueKind.String,
        },
        // §8: paged over topics, Limit at most 50.
        ["DescribeGroupOffsets"] = new(StringComparer.Ordinal)
        {
            ["InstanceId"] = JsonValueKind.String, ["Group"] = JsonValueKind.String, ["Topics"] = JsonValueKind.Array,
            ["SearchWord"] = JsonValueKind.String, ["Offset"] = JsonValueKind.Number, ["Limit"] = JsonValueKind.Number,
        },
        ["DescribeDatahubGroupOffsets"] = new(StringComparer.Ordinal)
        {
            ["Name"] = JsonValueKind.String, ["Group"] = JsonValueKind.String, ["SearchWord"] = JsonValueKind.String,
            ["Offset"] = JsonValueKind.Number, ["Limit"] = JsonValueKind.Number,
        },
    };

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _integers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _lists = new(StringComparer.Ordinal);

    /// <summary>The actions the simulator answers.</summary>
    public static bool IsKnownAction(string action) => Schemas.ContainsKey(action);

    public string? String(string name) => _strings.GetValueOrDefault(name);

    public long? Integer(string name) => _integers.TryGetValue(name, out var value) ? value : null;

    /// <summary>An array of strings; null when absent.</summary>
    public IReadOnlyList<string>? List(string name) => _lists.GetValueOrDefault(name);

    /// <summary>Parses <paramref name="body"/>; on failure returns null and sets the Tencent code and message.</summary>
    public static ApiParameters? Parse(string action, ReadOnlyMemory<byte> body, out string errorCode, out string message)
    {
        errorCode = message = "";
        var schema = Schemas[action];
        var result = new ApiParameters();
        if (body.IsEmpty)
        {
            return result;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            (errorCode, message) = ("InvalidParameter", "The request body is not valid JSON.");
            return null;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                (errorCode, message) = ("InvalidParameter", "The request body must be a JSON object.");
                return null;
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!schema.TryGetValue(property.Name, out var kind))
                {
                    (errorCode, message) = ("UnknownParameter", $"The parameter `{property.Name}` is not recognized.");
                    return null;
                }
                var value = property.Value;
                if (value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }
                if (value.ValueKind != kind || (kind == JsonValueKind.Number && !value.TryGetInt64(out _))
                    || (kind == JsonValueKind.Array && value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)))
                {
                    var expected = kind switch { JsonValueKind.Number => "Integer", JsonValueKind.Array => "Array of String", _ => "String" };
                    (errorCode, message) = ("InvalidParameterValue", $"The value of parameter `{property.Name}` must be of type {expected}.");
                    return null;
                }
                if (kind == JsonValueKind.Number)
                {
                    result._integers[property.Name] = value.GetInt64();
                }
                else if (kind == JsonValueKind.Array)
                {
                    result._lists[property.Name] = value.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
                }
                else
                {
                    result._strings[property.Name] = value.GetString() ?? "";
                }
            }
        }
        return result;
    }
}
