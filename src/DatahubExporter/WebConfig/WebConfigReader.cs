using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.WebConfig;

/// <summary>Turns a web config file into a <see cref="WebConfigFile"/>. Works on the YAML node tree rather than
/// a deserializer so that every error can name the line and the full key path. Stateless apart from the
/// one file being read; each call is independent. This part walks the top level and holds the YAML helpers and
/// the error format; each section is read in its own file (<c>WebConfigReader.Tls.cs</c>, <c>.Http.cs</c>,
/// <c>.Users.cs</c>).</summary>
internal sealed partial class WebConfigReader
{
    private readonly string _path;
    private readonly string _directory;

    private WebConfigReader(string path)
    {
        _path = System.IO.Path.GetFullPath(path);
        _directory = System.IO.Path.GetDirectoryName(_path) ?? ".";
    }

    public static WebConfigFile Read(string path) => new WebConfigReader(path).Read();

    private WebConfigFile Read()
    {
        var text = ReadText(_path, null, "file");
        var root = Parse(text);
        if (root is null || IsNull(root))
        {
            return new WebConfigFile { Path = _path };
        }

        var top = AsMapping(root, "top level");
        WebTlsConfig? tls = null;
        var http2 = true;
        IReadOnlyDictionary<string, string> headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in top.Children)
        {
            var key = KeyName(keyNode, null);
            switch (key)
            {
                case "tls_server_config":
                    tls = ReadTls(value);
                    break;
                case "http_server_config":
                    (http2, headers) = ReadHttp(value);
                    break;
                case "basic_auth_users":
                    users = ReadUsers(value);
                    break;
                case "rate_limit":
                    throw Unsupported(keyNode, key);
                default:
                    throw Error(keyNode, key, "unknown key");
            }
        }

        string? unknownUserHash = null;
        if (users.Count > 0)
        {
            var cost = users.Values.Max(h => Bcrypt.Cost(h));
            // Made once per cost for the process: a reload must not pay a slow hash again.
            unknownUserHash = DummyHashes.GetOrAdd(cost, c => Bcrypt.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)), c));
        }

        return new WebConfigFile
        {
            Path = _path,
            Tls = tls,
            Http2 = http2,
            Headers = headers,
            BasicAuthUsers = users,
            UnknownUserHash = unknownUserHash,
        };
    }

    private YamlNode? Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            // YamlDotNet puts "(Line: x, Col: y, Idx: z) - (...): " in front of the reason; the line is
            // printed our way instead.
            var reason = YamlPosition().Replace(e.Message, "");
            throw new WebConfigException($"web config {_path}:{e.Start.Line}: invalid YAML: {reason}");
        }

        return stream.Documents.Count switch
        {
            0 => null,
            1 => stream.Documents[0].RootNode,
            _ => throw new WebConfigException($"web config {_path}:{stream.Documents[1].RootNode.Start.Line}: only one YAML document is allowed"),
        };
    }

    private string ReadReferenced(string file, YamlNode? keyNode, string key, List<string> files)
    {
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(_directory, file));
        files.Add(full);
        return ReadText(full, keyNode, key);
    }

    private string ReadText(string file, YamlNode? keyNode, string key)
    {
        // Before any open: a FIFO would block the open, and with it start-up or every later reload.
        if (Configuration.RegularFile.NotRegular(file) is { } what)
        {
            throw keyNode is null
                ? new WebConfigException($"web config {_path}: is {what}, not a regular file")
                : Error(keyNode, key, $"{file} is {what}, not a regular file");
        }

        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw keyNode is null
                ? new WebConfigException($"web config {_path}: file not found")
                : Error(keyNode, key, $"file {file} not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw keyNode is null
                ? new WebConfigException($"web config {_path}: cannot read: {e.Message}")
                : Error(keyNode, key, $"cannot read {file}: {e.Message}");
        }
    }

    private bool Bool(YamlNode value, string key, bool fallback)
    {
        var text = Str(value, key);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return bool.TryParse(text, out var result)
            ? result
            : throw Error(value, key, $"want true or false, not \"{text}\"");
    }

    private string? Str(YamlNode value, string key) => value switch
    {
        YamlScalarNode s when IsNull(s) => null,
        YamlScalarNode s => s.Value ?? "",
        _ => throw Error(value, key, "want a single value, not a list or a map"),
    };

    private string KeyName(YamlNode key, string? section) => key switch
    {
        YamlScalarNode { Value: var v } => v ?? "",
        _ => throw Error(key, section ?? "top level", "keys must be plain strings"),
    };

    private YamlMappingNode AsMapping(YamlNode node, string key) => node as YamlMappingNode
        ?? throw Error(node, key, "want a map of keys to values");

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private WebConfigException Unsupported(YamlNode node, string key) =>
        Error(node, key, "not supported by datahub_exporter; remove it");

    private WebConfigException Error(YamlNode? node, string key, string problem) =>
        new(node is null
            ? $"web config {_path}: {key}: {problem}"
            : $"web config {_path}:{node.Start.Line.ToString(CultureInfo.InvariantCulture)}: {key}: {problem}");

    private static string ShortName(string key) => key[(key.LastIndexOf('.') + 1)..];

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlPosition();
}
