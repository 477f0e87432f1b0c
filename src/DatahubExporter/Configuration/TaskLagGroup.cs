namespace DatahubExporter.Configuration;

/// <summary>
/// The consumer-group name of a Datahub task (<c>task_lag_group</c>): a pattern whose <c>{TaskId}</c> is
/// replaced by the task's id. The default <c>datahub-{TaskId}</c> is inferred from Tencent's own example, not
/// documented (tencent-cloud-api.md §8), hence a key to change it.
/// </summary>
internal sealed record TaskLagGroup(string Pattern)
{
    public const string Placeholder = "{TaskId}";

    public const string DefaultPattern = "datahub-" + Placeholder;

    public static TaskLagGroup Default { get; } = new(DefaultPattern);

    public string For(string taskId) => Pattern.Replace(Placeholder, taskId, StringComparison.Ordinal);
}
