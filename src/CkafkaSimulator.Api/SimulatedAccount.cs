namespace CkafkaSimulator;

/// <summary>
/// A Tencent Cloud account besides the default one (exporter.md "Accounts and targets"): the key pairs that sign
/// as it, the role other principals may assume into it with STS <c>AssumeRole</c>, and the data it serves. A request
/// sees the data of the account its key belongs to. Read once at start.
/// </summary>
public sealed class SimulatedAccount
{
    /// <summary>For logs and tests only (the API never shows it).</summary>
    public required string Name { get; init; }

    /// <summary>SecretId → SecretKey pairs of this account's own users.</summary>
    public IDictionary<string, string> Keys { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The role <c>AssumeRole</c> hands out keys for, e.g. <c>qcs::cam::uin/100000000002:roleName/Reader</c>; null: none.</summary>
    public string? RoleArn { get; init; }

    /// <summary>When set, the role's trust policy asks for this <c>ExternalId</c>.</summary>
    public string? ExternalId { get; init; }

    /// <summary>When set, the role's keys live this long whatever <c>DurationSeconds</c> asked (tests use seconds).</summary>
    public TimeSpan? RoleKeyLifetime { get; init; }

    /// <summary>The data every region of this account serves.</summary>
    public SimulatorDataSet DataSet { get; init; } = SimulatorDataSet.Empty;
}
