using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Tests.TencentCloud.CredentialSources;

/// <summary>A role source without a network: each fetch hands out numbered keys living <see cref="Lifetime"/>
/// on the test's clock, or fails with <see cref="FailWith"/>; <see cref="Gate"/> holds fetches until opened. <see cref="Fetches"/> counts fetches begun; when the provider has
/// finished with one is for the provider's clock to say (<see cref="TimerRecordingTime.TimersChanged"/>).</summary>
internal sealed class ScriptedFetcher(TimeProvider time) : ITemporaryCredentialFetcher
{
    private int _fetches;

    public string Source => CredentialSourceNames.CvmRole;

    public string Detail => "role=scripted";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(30);

    public volatile string? FailWith;

    public volatile TaskCompletionSource? Gate;

    /// <summary>Hands out the first keys again on every fetch (a metadata service that keeps serving revoked keys).</summary>
    public volatile bool SameKeys;

    public int Fetches => Volatile.Read(ref _fetches);

    public async Task<TemporaryCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _fetches);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return FailWith is { } error
            ? throw new CredentialException(error)
            : new TemporaryCredentials(SameKeys ? new Credentials("AKIDscripted00000001", "key1", "token1") : new Credentials($"AKIDscripted{n:D8}", $"key{n}", $"token{n}"),
                time.GetUtcNow() + Lifetime);
    }
}
