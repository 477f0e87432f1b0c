using System.Text.Json;
using DatahubExporter.Configuration;

namespace DatahubExporter.Collectors;

/// <summary>
/// One list item as the engine keeps it between the API page and the exposition: its id, name and status
/// (the compatibility series), the descriptive values in the order of <see cref="ScrapePath.DetailLabels"/>,
/// and the cleaned <c>ErrorMessage</c> ("" when the API gave none).
/// </summary>
internal sealed record ListedItem(string Id, string Name, long? Status, string[] Details, string ErrorMessage)
{
    private EncodedLabels? _encoded;

    /// <summary>This item's label pairs as escaped UTF-8, made on first use and kept: every format and every
    /// family of the item copies these bytes instead of escaping the values again.</summary>
    internal EncodedLabels Encoded(ScrapePath path) => _encoded ??= EncodedLabels.Create(path, this);
}

/// <summary>
/// Everything that makes one scrape path different from another, as data: which action lists it, where the
/// list sits in <c>Result</c>, how an item is read, which filter applies and what its families are called.
/// The engine (<see cref="CollectionEngine"/>) does the rest, so a new path is one such description.
/// </summary>
internal sealed record ScrapePath
{
    /// <summary>The <c>collector</c> label value and the path segment, e.g. <c>datahub_tasks</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the path serves, in a few words for the landing page.</summary>
    public required string Summary { get; init; }

    /// <summary>The HTTP path it is served on.</summary>
    public required string HttpPath { get; init; }

    /// <summary>The list action, e.g. <c>DescribeDatahubTasks</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The array inside <c>Result</c>, e.g. <c>TaskList</c>.</summary>
    public required string ListField { get; init; }

    /// <summary>The <c>Limit</c> asked for; when the API refuses it (<c>InvalidParameter*</c>), 100 is used
    /// from then on.</summary>
    public int PreferredLimit { get; init; } = 100;

    /// <summary>Reads one element of the list; never throws for odd field types (see <c>CkafkaJson</c>).</summary>
    public required Func<JsonElement, ListedItem> Read { get; init; }

    /// <summary>Which items of this path produce series under a configuration.</summary>
    public required Func<ExporterConfig, NameFilter> Filter { get; init; }

    /// <summary>The identity label names: the item's id and name, e.g. <c>TaskId</c>, <c>TaskName</c>.</summary>
    public required string IdLabel { get; init; }

    public required string NameLabel { get; init; }

    /// <summary>The info family's descriptive label names, matching <see cref="ListedItem.Details"/>.</summary>
    public required string[] DetailLabels { get; init; }

    public required FamilyName ErrorCount { get; init; }

    public required FamilyName Status { get; init; }

    /// <summary>The text of each status code (the status page and the "status changed" log lines); none for a
    /// path whose items carry no status.</summary>
    public StatusTexts StatusTexts { get; init; } = StatusTexts.None;

    public required FamilyName Info { get; init; }

    public required FamilyName ErrorInfo { get; init; }

    /// <summary>A second stage run on the listed items (the lag path's group calls); when set, its families are
    /// what the path exports instead of the error count and the item families above.</summary>
    public ItemStage? Stage { get; init; }
}

/// <summary>A family's name and HELP text.</summary>
internal readonly record struct FamilyName(string Name, string Help);
