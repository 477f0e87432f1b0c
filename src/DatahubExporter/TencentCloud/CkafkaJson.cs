using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
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
            JsonValueKind.String => Text(value),
            JsonValueKind.Number => value.GetRawText(),
            _ => "",
        };
    }

    /// <summary>
    /// A JSON string's text. <see cref="JsonElement.GetString"/> refuses a string holding a lone UTF-16
    /// surrogate (<c>"a\ud800b"</c>) or bytes that are not UTF-8, which would otherwise fail the whole
    /// region for one odd name; such strings are decoded here with U+FFFD in place of what cannot be decoded.
    /// </summary>
    public static string Text(JsonElement value)
    {
        try
        {
            return value.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return Lenient(JsonMarshal.GetRawUtf8Value(value));
        }
    }

    /// <summary>Unescapes a raw JSON string token (quotes included) without ever throwing: lone surrogates
    /// and invalid UTF-8 become U+FFFD.</summary>
    internal static string Lenient(ReadOnlySpan<byte> raw)
    {
        if (raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"')
        {
            raw = raw[1..^1];
        }

        // Encoding.UTF8 replaces invalid sequences with U+FFFD; escapes are plain ASCII, so decoding first is safe.
        var text = Encoding.UTF8.GetString(raw);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length)
            {
                builder.Append(c);
                continue;
            }

            var e = text[++i];
            switch (e)
            {
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'u' when i + 4 < text.Length && ushort.TryParse(text.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit):
                    builder.Append((char)unit);
                    i += 4;
                    break;
                default: builder.Append(e); break;
            }
        }

        // Pairs decoded from two escapes stay; what is left alone becomes U+FFFD.
        var chars = builder.ToString().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
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
