using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Configuration;

/// <summary>
/// The validated INI configuration (after environment overrides). Immutable: a reload builds a new one
/// and swaps it in whole, so a scrape always sees one consistent set of credentials and regions.
/// </summary>
internal sealed record ExporterConfig
{
    /// <summary>Where each API attempt gets its keys: fixed ones, or a role source refreshing in the background.
    /// A <see cref="Configuration.Credentials"/> value converts to a static provider.</summary>
    public required CredentialProvider Credentials { get; init; }

    /// <summary>One or more regions, deduplicated, in the order written.</summary>
    public required IReadOnlyList<string> Regions { get; init; }

    /// <summary>The <c>endpoint</c> key as an absolute URL, or null for the regional default host.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Which tasks produce series (<c>task_name_include</c>/<c>task_name_exclude</c>).</summary>
    public NameFilter TaskFilter { get; init; } = NameFilter.All;

    /// <summary>Which connect resources produce series (<c>resource_name_include</c>/<c>resource_name_exclude</c>).</summary>
    public NameFilter ResourceFilter { get; init; } = NameFilter.All;

    /// <summary>The consumer group of a task on the lag path (<c>task_lag_group</c>).</summary>
    public TaskLagGroup TaskLagGroup { get; init; } = TaskLagGroup.Default;

    /// <summary>The file this was read from (for messages); may not exist when env vars supplied everything.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Where the API of <paramref name="region"/> is called: the endpoint override, else
    /// <c>https://ckafka.&lt;region&gt;.tencentcloudapi.com/</c> (the original hard-coded Guangzhou: a bug).</summary>
    public Uri EndpointFor(string region) => Endpoint ?? new Uri($"https://ckafka.{region}.tencentcloudapi.com/");
}
