using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>
/// Loads YAML files and turns nodes into canonical JSON (mapping keys sorted, scalars as strings), so two
/// documents that mean the same compare equal however they are quoted or indented.
/// </summary>
internal static class YamlTree
{
    /// <summary>All documents of a file; a syntax error throws YamlDotNet's exception naming line and column.</summary>
    public static IReadOnlyList<YamlDocument> LoadAll(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.ToList();
    }

    /// <summary>The root mapping of a single-document file.</summary>
    public static YamlMappingNode LoadMapping(string path)
    {
        var docs = LoadAll(path);
        Assert.That(docs, Has.Count.EqualTo(1), $"{path}: expected one YAML document");
        return docs[0].RootNode as YamlMappingNode
            ?? throw new AssertionException($"{path}: the document is not a mapping");
    }

    public static YamlNode Child(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child)
            ? child
            : throw new AssertionException($"no key '{key}' at line {node.Start.Line}");

    public static string Scalar(YamlNode node, string key) =>
        Child(node, key) is YamlScalarNode { Value: { } value }
            ? value
            : throw new AssertionException($"'{key}' at line {node.Start.Line} is not a scalar");

    public static YamlSequenceNode Sequence(YamlNode node, string key) =>
        Child(node, key) as YamlSequenceNode
            ?? throw new AssertionException($"'{key}' at line {node.Start.Line} is not a sequence");

    /// <summary>Follows a '.'-separated key path, e.g. <c>spec.template.spec</c>.</summary>
    public static YamlNode At(YamlNode node, string dottedPath) =>
        dottedPath.Split('.').Aggregate(node, Child);

    public static string ToCanonicalJson(YamlNode node) => ToJson(node)?.ToJsonString() ?? "null";

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlMappingNode map => new JsonObject(map.Children
            .Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at line {node.Start.Line}"),
    };
}
