using CkafkaSimulator;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Tests.TencentCloud.CredentialSources;

/// <summary>The two role sources against loopback fakes of the CVM metadata service and STS.</summary>
[TestFixture]
public class RoleFetcherTests
{
    private static int _issued;
    private TempDirectory _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = new TempDirectory("datahub-oidc-");

    [TearDown]
    public void DeleteDirectory() => _dir.Dispose();

    private string TokenFile => _dir.PathOf("token");

    private static TemporaryKey Issue() =>
        new($"AKIDfake{Interlocked.Increment(ref _issued):D6}", "fakeKeyNeverLogged", "fakeTokenNeverLogged", DateTimeOffset.UtcNow.AddMinutes(30));

    private static HttpClient Http() => CredentialChain.CreateHttpClient(useProxy: false);

    [Test]
    public async Task Cvm_role_is_discovered_and_its_keys_fetched()
    {
        await using var metadata = await FakeMetadataService.StartAsync(Issue);
        using var http = Http();
        var fetcher = new CvmRoleFetcher(http, metadata.BaseAddress, null, TimeProvider.System);
        Assert.That(fetcher.Detail, Is.EqualTo($"role=(discovered) metadata={metadata.BaseAddress}"));

        var fetched = await fetcher.FetchAsync(CancellationToken.None);

        // --config.check and the logs name the role found, not just that one was.
        Assert.That(fetcher.Detail, Is.EqualTo($"role=datahub-reader (discovered) metadata={metadata.BaseAddress}"));

        var issued = metadata.Issued.Single();
        Assert.That(fetched.Credentials, Is.EqualTo(new DatahubExporter.Configuration.Credentials(issued.SecretId, issued.SecretKey, issued.Token)));
        Assert.That(fetched.Expiry, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(issued.ExpiresAt.ToUnixTimeSeconds())));
        Assert.That((metadata.RoleRequests, metadata.CredentialRequests), Is.EqualTo((1, 1)));
        Assert.That(metadata.Surprises, Is.Empty);
    }

    [Test]
    public async Task A_configured_role_name_skips_discovery()
    {
        await using var metadata = await FakeMetadataService.StartAsync(Issue);
        metadata.RoleName = "pinned-role";
        using var http = Http();

        await new CvmRoleFetcher(http, metadata.BaseAddress, "pinned-role", TimeProvider.System).FetchAsync(CancellationToken.None);

        Assert.That((metadata.RoleRequests, metadata.CredentialRequests), Is.EqualTo((0, 1)));
    }

    [TestCase(FakeMetadataService.Behaviour.NoRole, "CVM metadata {base}: no CAM role is bound to this instance (HTTP 404)")]
    [TestCase(FakeMetadataService.Behaviour.ServerError, "CVM metadata {base}: HTTP 500 when asked for the role name")]
    public async Task Metadata_failures_are_one_clear_line(FakeMetadataService.Behaviour behaviour, string expected)
    {
        await using var metadata = await FakeMetadataService.StartAsync(Issue);
        metadata.Answer = behaviour;
        using var http = Http();

        var error = Assert.ThrowsAsync<CredentialException>(() => new CvmRoleFetcher(http, metadata.BaseAddress, null, TimeProvider.System).FetchAsync(CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo(expected.Replace("{base}", metadata.BaseAddress.ToString())));
    }

    [Test]
    public async Task A_metadata_service_that_does_not_answer_times_out_quickly()
    {
        // A listener that accepts and never answers: what a firewalled metadata address looks like from a pod.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var http = Http();

        // The 2 s itself is pinned on a fake clock below; the 30 s bound only keeps a regression from hanging the run.
        var error = Assert.ThrowsAsync<CredentialException>(() =>
            new CvmRoleFetcher(http, new Uri($"http://127.0.0.1:{port}/"), null, TimeProvider.System).FetchAsync(CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.That(error!.Message, Is.EqualTo($"CVM metadata http://127.0.0.1:{port}/: no answer within 2 s"));
    }

    [Test]
    public async Task The_source_timeout_runs_on_the_fetcher_clock()
    {
        // The metadata call never answers; only the fetcher's own clock reaching the 2 s timeout ends it.
        var time = new TimerRecordingTime();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var http = new HttpClient(new FakeHandler(async (_, _, ct) =>
        {
            asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        }));
        var fetch = new CvmRoleFetcher(http, new Uri("http://127.0.0.1:1/"), "pinned-role", time).FetchAsync(CancellationToken.None);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(time.CreatedTimers, Does.Contain(CvmRoleFetcher.Timeout), "the 2 s timeout is a timer of the fetcher's clock");
        Assert.That(fetch.IsCompleted, Is.False);

        time.Advance(CvmRoleFetcher.Timeout);

        var error = Assert.ThrowsAsync<CredentialException>(() => fetch.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(error!.Message, Does.EndWith("no answer within 2 s"));
    }

    [Test]
    public async Task Oidc_sends_an_unsigned_request_and_rereads_the_token_file_at_each_fetch()
    {
        await using var sts = await FakeStsService.StartAsync(Issue);
        File.WriteAllText(TokenFile, "web-identity-token-1\n");
        sts.ExpectedToken = "web-identity-token-1";
        using var http = Http();
        var fetcher = new OidcFetcher(http, sts.BaseAddress, sts.ExpectedRegion, sts.ExpectedProviderId, TokenFile, sts.ExpectedRoleArn, TimeProvider.System);

        var first = await fetcher.FetchAsync(CancellationToken.None);
        File.WriteAllText(TokenFile, "web-identity-token-2");
        sts.ExpectedToken = "web-identity-token-2";
        var second = await fetcher.FetchAsync(CancellationToken.None);

        Assert.That(sts.Surprises, Is.Empty);
        Assert.That(sts.TokensSeen, Is.EqualTo(new[] { "web-identity-token-1", "web-identity-token-2" }));
        Assert.That(second.Credentials.SecretId, Is.Not.EqualTo(first.Credentials.SecretId));
        Assert.That(first.Credentials.Token, Is.EqualTo("fakeTokenNeverLogged"));
    }

    [Test]
    public async Task Sts_errors_name_the_code_and_never_the_web_identity_token()
    {
        await using var sts = await FakeStsService.StartAsync(Issue);
        File.WriteAllText(TokenFile, "stale-web-identity-token");
        sts.ExpectedToken = "current-token";
        using var http = Http();

        var error = Assert.ThrowsAsync<CredentialException>(() =>
            new OidcFetcher(http, sts.BaseAddress, sts.ExpectedRegion, sts.ExpectedProviderId, TokenFile, sts.ExpectedRoleArn, TimeProvider.System)
                .FetchAsync(CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo($"STS AssumeRoleWithWebIdentity at {sts.BaseAddress.Authority}: InvalidParameter.WebIdentityTokenError: the web identity token was not accepted"));
        Assert.That(error.Message, Does.Not.Contain("stale-web-identity-token"));
    }

    [Test]
    public void A_missing_token_file_is_named()
    {
        using var http = Http();
        var fetcher = new OidcFetcher(http, new Uri("http://127.0.0.1:1/"), "ap-guangzhou", "p", "/nonexistent/datahub/token", "arn", TimeProvider.System);

        var error = Assert.ThrowsAsync<CredentialException>(() => fetcher.FetchAsync(CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("TKE_WEB_IDENTITY_TOKEN_FILE /nonexistent/datahub/token: file not found"));
    }
}
