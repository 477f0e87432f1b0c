using YamlDotNet.RepresentationModel;

namespace DatahubExporter.WebConfig;

/// <summary><c>http_server_config</c>: HTTP/2 and the response headers exporter-toolkit allows.</summary>
internal sealed partial class WebConfigReader
{
    // exporter-toolkit allows only these headers, two of them with a fixed set of values (web-configuration.md).
    private static readonly Dictionary<string, string[]?> AllowedHeaders = new(StringComparer.Ordinal)
    {
        ["Strict-Transport-Security"] = null,
        ["X-Content-Type-Options"] = ["nosniff"],
        ["X-Frame-Options"] = ["deny", "sameorigin"],
        ["X-XSS-Protection"] = null,
        ["Content-Security-Policy"] = null,
    };

    private (bool Http2, IReadOnlyDictionary<string, string> Headers) ReadHttp(YamlNode node)
    {
        const string Section = "http_server_config";
        var http2 = true;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return (http2, headers);
        }

        foreach (var (k, value) in AsMapping(node, Section).Children)
        {
            var name = KeyName(k, Section);
            var full = $"{Section}.{name}";
            switch (name)
            {
                case "http2":
                    http2 = Bool(value, full, true);
                    break;
                case "headers":
                    headers = ReadHeaders(value, full);
                    break;
                default:
                    throw Error(k, full, "unknown key");
            }
        }

        return (http2, headers);
    }

    private Dictionary<string, string> ReadHeaders(YamlNode node, string section)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return headers;
        }

        foreach (var (k, value) in AsMapping(node, section).Children)
        {
            var name = KeyName(k, section);
            var full = $"{section}.{name}";
            if (!AllowedHeaders.TryGetValue(name, out var allowedValues))
            {
                throw Error(k, full, $"this header cannot be set; allowed: {string.Join(", ", AllowedHeaders.Keys)}");
            }

            var text = Str(value, full);
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            // Kestrel refuses response header values outside visible ASCII, space and tab, and would then
            // answer every request 500 (probes included): refuse them at load time instead.
            if (text.Any(c => c != '\t' && c is < ' ' or > '~'))
            {
                throw Error(k, full, "the value must be printable ASCII (no control or non-ASCII characters)");
            }

            if (allowedValues is not null && !allowedValues.Contains(text, StringComparer.Ordinal))
            {
                throw Error(k, full, $"\"{text}\" is not allowed; want {string.Join(" or ", allowedValues)}");
            }

            headers[name] = text;
        }

        return headers;
    }
}
