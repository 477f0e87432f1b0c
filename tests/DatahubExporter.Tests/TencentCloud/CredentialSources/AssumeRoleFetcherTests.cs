using CkafkaSimulator;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Tests.TencentCloud.CredentialSources;

/// <summary>STS <c>AssumeRole</c> (tencent-cloud-api.md §6) against the simulator, which checks the TC3 signature
/// (service sts) with the base key, the role and the external id.</summary>
[TestFixture]
public class AssumeRoleFetcherTests
{
    private const string RoleArn = "qcs::cam::uin/100000000002:roleName/DatahubExporterReader";

    private static SimulatedAccount Staging(string? externalId = null) => new()
    {
        Name = "staging",
        RoleArn = RoleArn,
        ExternalId = externalId,
        RoleKeyLifetime = TimeSpan.FromSeconds(20),
        DataSet = SimulatorDataSet.Generate(3, 1),
    };

    private static AssumeRoleFetcher Fetcher(HttpClient http, SimulatorServer server, CredentialProvider signer, string? externalId = null, string roleArn = RoleArn) =>
        new(http, server.BaseAddress, signer, new AssumeRoleSettings("staging", roleArn, externalId, null, 900, "ap-guangzhou"), TimeProvider.System);

    private static Credentials DemoKeys => new(SimulatorOptions.DemoSecretId, SimulatorOptions.DemoSecretKey, null);

    [Test]
    public async Task The_base_key_signs_and_the_roles_keys_come_back()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Accounts = [Staging("ext-1")] });
        using var http = CredentialChain.CreateHttpClient(useProxy: false);

        var fetched = await Fetcher(http, server, DemoKeys, "ext-1").FetchAsync(CancellationToken.None);

        var request = server.State.Requests.Single();
        Assert.That((request.Action, request.SecretId, request.SignatureValid, request.ErrorCode),
            Is.EqualTo(("AssumeRole", SimulatorOptions.DemoSecretId, true, (string?)null)));
        Assert.That(fetched.Credentials.Token, Is.Not.Empty);
        Assert.That(fetched.Expiry - DateTimeOffset.UtcNow, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(21)), "the account's 20-second keys");
    }

    [Test]
    public async Task Temporary_base_keys_send_their_token()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Accounts = [Staging()] });
        var baseKey = server.State.IssueTemporaryKey(TimeSpan.FromMinutes(5));
        using var http = CredentialChain.CreateHttpClient(useProxy: false);

        await Fetcher(http, server, new Credentials(baseKey.SecretId, baseKey.SecretKey, baseKey.Token)).FetchAsync(CancellationToken.None);
        var wrongToken = Assert.ThrowsAsync<CredentialException>(() =>
            Fetcher(http, server, new Credentials(baseKey.SecretId, baseKey.SecretKey, "not-the-token")).FetchAsync(CancellationToken.None));

        Assert.That(server.State.Requests.Select(r => r.ErrorCode), Is.EqualTo(new string?[] { null, "AuthFailure.TokenFailure" }));
        Assert.That(wrongToken!.Message, Does.Contain("the base credentials (static) were refused and none newer are available"));
    }

    [TestCase("ext-2", RoleArn, "InvalidParameter.ExternalIdError")]
    [TestCase(null, RoleArn, "InvalidParameter.ExternalIdError")]
    [TestCase("ext-1", "qcs::cam::uin/100000000002:roleName/Other", "InvalidParameter.RoleNotExist")]
    public async Task A_refusal_is_one_line_with_the_STS_code(string? externalId, string roleArn, string code)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Accounts = [Staging("ext-1")] });
        using var http = CredentialChain.CreateHttpClient(useProxy: false);

        var error = Assert.ThrowsAsync<CredentialException>(() => Fetcher(http, server, DemoKeys, externalId, roleArn).FetchAsync(CancellationToken.None));

        Assert.That(error!.Message, Does.StartWith($"STS AssumeRole at {server.BaseAddress.Authority} for account staging: {code}: "));
        Assert.That(error.Message, Does.Not.Contain(SimulatorOptions.DemoSecretKey));
    }

    [Test]
    public async Task A_key_the_simulator_does_not_know_is_refused()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Accounts = [Staging()] });
        using var http = CredentialChain.CreateHttpClient(useProxy: false);

        var error = Assert.ThrowsAsync<CredentialException>(() =>
            Fetcher(http, server, new Credentials(SimulatorOptions.DemoSecretId, "wrongSecretKeyNotReal000000000", null)).FetchAsync(CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("AuthFailure.SignatureFailure"));
    }
}
