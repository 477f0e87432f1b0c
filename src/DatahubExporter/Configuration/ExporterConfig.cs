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

    /// <summary>This account's name (<c>[account.NAME]</c>), the first label of its series; null without account sections.</summary>
    public string? Account { get; init; }

    /// <summary>The role this account is read through (<c>role_arn</c>, not a secret); null when its own keys sign.</summary>
    public string? RoleArn { get; init; }

    /// <summary>With <see cref="RoleArn"/>: the credentials that call STS <c>AssumeRole</c> (the account's own, else [common]'s).</summary>
    public CredentialProvider? RoleBase { get; init; }

    /// <summary>What the account section's key pair or <c>role_arn</c> is, to tell when two accounts share one
    /// real API budget (exporter.md "Isolation"): the SecretId or the role; never a secret key.</summary>
    public string? BudgetIdentity { get; init; }

    /// <summary>The <c>[account.NAME]</c> sections in the order written, each a whole configuration of its own
    /// (<c>[common]</c> filled in); null when the file has none.</summary>
    public IReadOnlyList<ExporterConfig>? AccountSections { get; init; }

    /// <summary>What is collected: every account section, or this configuration alone (no account label).</summary>
    public IReadOnlyList<ExporterConfig> Accounts => AccountSections ?? [this];

    /// <summary>Every distinct credential provider, bases before the roles built on them: what is started and disposed.</summary>
    public IReadOnlyList<CredentialProvider> CredentialProviders()
    {
        var all = new List<CredentialProvider> { Credentials };
        foreach (var account in AccountSections ?? [])
        {
            if (account.RoleBase is { } roleBase && !all.Contains(roleBase))
            {
                all.Add(roleBase);
            }

            if (!all.Contains(account.Credentials))
            {
                all.Add(account.Credentials);
            }
        }

        return all;
    }

    /// <summary>One warning per group of accounts that share a key pair or a role: Tencent counts their calls
    /// against one budget although each account has its own limiter here.</summary>
    public IReadOnlyList<string> SharedBudgetWarnings() =>
        (AccountSections ?? []).Where(a => a.BudgetIdentity is not null).GroupBy(a => a.BudgetIdentity, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"{SourcePath}: accounts {string.Join(", ", g.Select(a => a.Account))} use the same {(g.First().RoleArn is null ? "key pair" : "role_arn")}: " +
                         "they share one real API rate limit")
            .ToList();

    /// <summary>Where the API of <paramref name="region"/> is called: the endpoint override, else
    /// <c>https://ckafka.&lt;region&gt;.tencentcloudapi.com/</c> (the original hard-coded Guangzhou: a bug).</summary>
    public Uri EndpointFor(string region) => Endpoint ?? new Uri($"https://ckafka.{region}.tencentcloudapi.com/");
}
