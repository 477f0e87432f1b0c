using CkafkaSimulator;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;
using DatahubExporter.TencentCloud.CredentialSources;
using DatahubExporter.Tests.Simulator;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.TencentCloud.CredentialSources;

/// <summary>
/// Temporary keys end to end inside one process: the simulator accepts them with their token and rejects them
/// once revoked or expired; the API client renews rejected keys once and retries once.
/// </summary>
public class TemporaryCredentialsTests
{
    private SimulatorServer _simulator = null!;
    private SimulatorApiClient _signer = null!;

    // The simulator's clock: it decides when a temporary key has expired. It starts at the real time because the
    // client signs with the real time and the simulator refuses a timestamp more than 5 minutes away from its own.
    private FakeTimeProvider _simulatorTime = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _simulatorTime = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _simulator = await SimulatorServer.StartAsync(new SimulatorOptions { DataSet = SimulatorDataSet.Generate(3, 2), Time = _simulatorTime });
        _signer = new SimulatorApiClient(_simulator);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _signer.Dispose();
        await _simulator.DisposeAsync();
    }

    private Task<string?> CodeAsync(TemporaryKey key, string? token) =>
        _signer.ErrorCodeAsync(new SignedCall { SecretId = key.SecretId, SecretKey = key.SecretKey, Token = token });

    [Test]
    public async Task The_simulator_accepts_a_temporary_key_only_with_its_token()
    {
        var key = _simulator.State.IssueTemporaryKey(TimeSpan.FromMinutes(5));

        Assert.That(await CodeAsync(key, key.Token), Is.Null);
        Assert.That(await CodeAsync(key, null), Is.EqualTo("AuthFailure.TokenFailure"));
        Assert.That(await CodeAsync(key, key.Token + "x"), Is.EqualTo("AuthFailure.TokenFailure"));
    }

    [Test]
    public async Task The_simulator_rejects_a_temporary_key_once_revoked_or_expired()
    {
        var revoked = _simulator.State.IssueTemporaryKey(TimeSpan.FromMinutes(5));
        var expired = _simulator.State.IssueTemporaryKey(TimeSpan.FromMinutes(1));
        Assert.That(await CodeAsync(expired, expired.Token), Is.Null, "valid until its lifetime has passed");
        _simulatorTime.Advance(TimeSpan.FromMinutes(1));

        Assert.That(_simulator.State.RevokeTemporaryKey(revoked.SecretId), Is.True);
        Assert.That(await CodeAsync(revoked, revoked.Token), Is.EqualTo("AuthFailure.SecretIdNotFound"));
        Assert.That(await CodeAsync(expired, expired.Token), Is.EqualTo("AuthFailure.TokenFailure"));
    }

    [Test]
    public async Task A_revoked_temporary_key_is_renewed_once_and_the_call_retried_once()
    {
        var fetcher = new SimulatorFetcher(_simulator.State);
        using var provider = new RefreshingCredentialProvider(fetcher, TimeProvider.System, NullLogger.Instance, new CredentialMetrics(), null);
        await provider.StartAsync(CancellationToken.None);
        var observer = new RecordingObserver();
        using var http = new HttpClient();
        var client = new TencentCloudClient(http, new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = 1 }, observer, TimeProvider.System);
        var ckafka = new CkafkaClient(client);
        var target = new ApiTarget("ap-guangzhou", _simulator.BaseAddress, provider);
        Assert.That(await ckafka.DescribeDatahubTasksAsync(target, CancellationToken.None), Has.Count.EqualTo(3));

        _simulator.State.RevokeTemporaryKey(provider.Current!.SecretId);
        var tasks = await ckafka.DescribeDatahubTasksAsync(target, CancellationToken.None);

        Assert.That(tasks, Has.Count.EqualTo(3));
        Assert.That(fetcher.Fetches, Is.EqualTo(2), "one refresh");
        Assert.That(observer.RequestCodes, Is.EqualTo(new[] { "Success", "AuthFailure.SecretIdNotFound", "Success" }));
        Assert.That(observer.Retries.Select(r => r.Code), Is.EqualTo(new[] { "AuthFailure.SecretIdNotFound" }));
    }

    [Test]
    public async Task A_rejected_key_the_source_cannot_replace_fails_after_one_request()
    {
        var fetcher = new SimulatorFetcher(_simulator.State);
        using var provider = new RefreshingCredentialProvider(fetcher, TimeProvider.System, NullLogger.Instance, new CredentialMetrics(), null);
        await provider.StartAsync(CancellationToken.None);
        var observer = new RecordingObserver();
        using var http = new HttpClient();
        var client = new TencentCloudClient(http, new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = 3 }, observer, TimeProvider.System);
        _simulator.State.RevokeTemporaryKey(provider.Current!.SecretId);
        fetcher.FailWith = "metadata down";

        var error = Assert.ThrowsAsync<TencentCloudException>(() =>
            new CkafkaClient(client).DescribeDatahubTasksAsync(new ApiTarget("ap-guangzhou", _simulator.BaseAddress, provider), CancellationToken.None));
        Assert.That(error!.IsApiError, Is.True);

        Assert.That(error!.Code, Is.EqualTo("AuthFailure.SecretIdNotFound"));
        Assert.That(observer.RequestCodes, Is.EqualTo(new[] { "AuthFailure.SecretIdNotFound" }));
    }

    [Test]
    public void A_token_failure_with_static_keys_is_not_retried()
    {
        var key = _simulator.State.IssueTemporaryKey(TimeSpan.FromMinutes(5));
        var observer = new RecordingObserver();
        using var http = new HttpClient();
        var client = new TencentCloudClient(http, new TencentCloudClientOptions { RateLimitPerSecond = 0 }, observer, TimeProvider.System);
        var target = new ApiTarget("ap-guangzhou", _simulator.BaseAddress, new Credentials(key.SecretId, key.SecretKey, "wrong-token"));

        var error = Assert.ThrowsAsync<TencentCloudException>(() => new CkafkaClient(client).DescribeDatahubTasksAsync(target, CancellationToken.None));
        Assert.That(error!.IsApiError, Is.True);

        Assert.That(error!.Code, Is.EqualTo("AuthFailure.TokenFailure"));
        Assert.That(observer.RequestCodes, Is.EqualTo(new[] { "AuthFailure.TokenFailure" }));
    }

    [Test]
    public void No_credentials_fail_the_call_without_a_request()
    {
        var fetcher = new SimulatorFetcher(_simulator.State) { FailWith = "CVM metadata: HTTP 500" };
        using var provider = new RefreshingCredentialProvider(fetcher, TimeProvider.System, NullLogger.Instance, new CredentialMetrics(), null);
        Assert.ThrowsAsync<CredentialException>(() => provider.StartAsync(CancellationToken.None));
        var observer = new RecordingObserver();
        using var http = new HttpClient();
        var client = new TencentCloudClient(http, new TencentCloudClientOptions { RateLimitPerSecond = 0 }, observer, TimeProvider.System);

        var error = Assert.ThrowsAsync<TencentCloudException>(() =>
            new CkafkaClient(client).DescribeDatahubTasksAsync(new ApiTarget("ap-guangzhou", _simulator.BaseAddress, provider), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo("CredentialError"));
        Assert.That(error.Message, Does.EndWith("no credentials from cvm_role: CVM metadata: HTTP 500"));
        Assert.That(observer.Requests, Is.Empty);
    }

    /// <summary>Hands out the simulator's temporary keys, like a metadata service in front of it would.</summary>
    private sealed class SimulatorFetcher(SimulatorState state) : ITemporaryCredentialFetcher
    {
        private int _fetches;

        public string Source => CredentialSourceNames.CvmRole;

        public string Detail => "role=simulated";

        public int Fetches => Volatile.Read(ref _fetches);

        public volatile string? FailWith;

        public Task<TemporaryCredentials> FetchAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _fetches);
            if (FailWith is { } error)
            {
                throw new CredentialException(error);
            }

            var key = state.IssueTemporaryKey(TimeSpan.FromMinutes(10));
            return Task.FromResult(new TemporaryCredentials(new Credentials(key.SecretId, key.SecretKey, key.Token), key.ExpiresAt));
        }
    }
}
