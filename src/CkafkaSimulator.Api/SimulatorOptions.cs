namespace CkafkaSimulator;

/// <summary>How a <see cref="SimulatorServer"/> listens and what it accepts. Read once at start.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Obviously fake demo credentials; never real ones.</summary>
    public const string DemoSecretId = "AKIDdemoDatahubSimulatorNotARealKey0";

    /// <inheritdoc cref="DemoSecretId"/>
    public const string DemoSecretKey = "demoSimulatorSecretKeyNotReal00";

    /// <summary>The API version all three ckafka actions use (spec §1.2).</summary>
    public const string ApiVersion = "2019-08-19";

    /// <summary>An IP address literal, or "localhost". Loopback is the intended use.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port; <see cref="SimulatorServer.BaseAddress"/> tells which.</summary>
    public int Port { get; set; }

    /// <summary>SecretId → SecretKey pairs that sign valid requests.</summary>
    public IDictionary<string, string> Keys { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [DemoSecretId] = DemoSecretKey,
    };

    /// <summary>When set, X-TC-Token must equal it (temporary credentials, spec §1.2), else AuthFailure.TokenFailure.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Null accepts any region; otherwise other regions get UnsupportedRegion.</summary>
    public IReadOnlyList<string>? Regions { get; set; }

    /// <summary>The data every region serves unless <see cref="RegionDataSets"/> names the region.</summary>
    public SimulatorDataSet DataSet { get; set; } = SimulatorDataSet.Generate(250, 120);

    /// <summary>Per-region data, overriding <see cref="DataSet"/>.</summary>
    public IDictionary<string, SimulatorDataSet> RegionDataSets { get; set; } = new Dictionary<string, SimulatorDataSet>(StringComparer.Ordinal);

    /// <summary>Accounts besides the default one (whose keys are <see cref="Keys"/> and whose data is <see cref="DataSet"/>):
    /// their own keys, a role <c>AssumeRole</c> reaches them through, and their own data.</summary>
    public IList<SimulatedAccount> Accounts { get; set; } = [];

    /// <summary>Beyond this skew between X-TC-Timestamp and the server clock: AuthFailure.SignatureExpire (spec §1.1 step 6).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>DescribeDatahubTasks caps Limit here (spec §2.3: max 100, larger values capped).</summary>
    public int MaxTasksLimit { get; set; } = 100;

    /// <summary>DescribeConnectResources caps Limit here. The spec (§2.4) says 100 in older sources and 1000 now;
    /// 100 is the conservative answer a client must cope with.</summary>
    public int MaxResourcesLimit { get; set; } = 100;

    /// <summary>When set, a list request whose Limit is above this is refused with <c>InvalidParameterValue</c>
    /// instead of capped, as an API from before a larger documented maximum may do.</summary>
    public int? RefuseLimitAbove { get; set; }

    /// <summary>The clock of timestamps, rate-limit windows and latency faults; tests substitute their own.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>How many received requests <see cref="SimulatorState.Requests"/> keeps (oldest dropped first).</summary>
    public int RequestLogCapacity { get; set; } = 10_000;
}
