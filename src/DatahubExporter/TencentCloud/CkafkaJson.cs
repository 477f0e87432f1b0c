using System.Globalization;
using System.Text.Json;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// Tolerant readers for CKafka answers. The Go SDK makes every field an optional pointer and older SDKs
/// marked most of them nullable (tencent-cloud-api.md §2.3, §2.4), so any field may be missing, null or of
/// an unexpected JSON type; none of that may throw.
/// </summary>
internal static class CkafkaJson
{
    /// <summary>The property when <paramref name="obj"/> is an object that has it, else default (Undefined).</summary>
    public static JsonElement Property(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? value : default;

    /// <summary>A string field; a number is taken as its literal text (an id sent as 123 still identifies);
    /// anything else, including null, objects and arrays, is "".</summary>
    public static string String(JsonElement obj, string name)
    {
        var value = Property(obj, name);
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Number => value.GetRawText(),
            _ => "",
        };
    }

    /// <summary>An integer field: a JSON integer, an integral float (1.0), or a string holding either
    /// ("1"). Anything else, fractions and out-of-range values included, is null: no invented status.</summary>
    public static long? Integer(JsonElement obj, string name)
    {
        var value = Property(obj, name);
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (value.TryGetInt64(out var whole))
                {
                    return whole;
                }
                return value.TryGetDouble(out var number) ? Integral(number) : null;
            case JsonValueKind.String:
                var text = (value.GetString() ?? "").Trim();
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fromText) ? Integral(fromText) : null;
            default:
                return null;
        }
    }

    private static long? Integral(double value) =>
        double.IsFinite(value) && Math.Floor(value) == value && value >= long.MinValue && value < 9.2e18 ? (long)value : null;
}
