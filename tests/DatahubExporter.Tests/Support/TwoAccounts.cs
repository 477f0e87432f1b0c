using CkafkaSimulator;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The two accounts of exporter.md "Accounts and targets" as the account tests use them, in-process
/// (<c>Cli/AccountsCliTests</c>) and with the binary (<c>EndToEnd/AccountsTests</c>): prod with [common]'s own key on one
/// simulator, staging reached through STS <c>AssumeRole</c> on another, and the config file naming both. [common]'s key
/// pair signs prod's calls and staging's AssumeRole (the staging simulator knows it as a user of its default account,
/// which serves one task: seeing it would mean the role was not used).
/// </summary>
internal sealed class TwoAccounts : IAsyncDisposable
{
    public const string RoleArn = "qcs::cam::uin/100000000002:roleName/DatahubExporterReader";
    public const string ExternalId = "staging-ext";

    private TwoAccounts(SimulatorServer prod, SimulatorServer staging, string config)
    {
        Prod = prod;
        Staging = staging;
        Config = config;
    }

    public SimulatorServer Prod { get; }

    public SimulatorServer Staging { get; }

    /// <summary>The config file (mode 0600).</summary>
    public string Config { get; }

    /// <summary>What the exporter needs to reach the staging simulator's STS.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["DATAHUB_EXPORTER_STS_ENDPOINT"] = Staging.BaseAddress.ToString() };

    /// <param name="options">The simulator options of a key pair (the fixture's or <see cref="FreshSecrets"/>'): tasks, resources.</param>
    public static async Task<TwoAccounts> StartAsync(TempDirectory temp, string secretId, string secretKey, Func<int, int, SimulatorOptions> options,
        int prodTasks, int stagingTasks, TimeSpan roleKeyLifetime)
    {
        var prod = await SimulatorServer.StartAsync(options(prodTasks, 5));
        var staging = options(1, 1);
        staging.Accounts = [new SimulatedAccount
        {
            Name = "staging",
            RoleArn = RoleArn,
            ExternalId = ExternalId,
            RoleKeyLifetime = roleKeyLifetime,
            DataSet = SimulatorDataSet.Generate(stagingTasks, 4, seed: 7),
        }];
        var stagingServer = await SimulatorServer.StartAsync(staging);
        var config = temp.Write("datahub_exporter.conf", $"""
            [common]
            secret_id = {secretId}
            secret_key = {secretKey}
            region = ap-guangzhou

            [account.prod]
            endpoint = {prod.BaseAddress.GetLeftPart(UriPartial.Authority)}

            [account.staging]
            endpoint = {stagingServer.BaseAddress.GetLeftPart(UriPartial.Authority)}
            role_arn = {RoleArn}
            external_id = {ExternalId}
            region = ap-guangzhou, ap-shanghai

            """, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new TwoAccounts(prod, stagingServer, config);
    }

    public async ValueTask DisposeAsync()
    {
        await Prod.DisposeAsync();
        await Staging.DisposeAsync();
    }
}
