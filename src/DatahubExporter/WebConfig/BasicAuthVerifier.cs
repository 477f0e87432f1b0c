using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DatahubExporter.WebConfig;

/// <summary>Checks a user name and password against a <see cref="WebConfigFile"/>'s <c>basic_auth_users</c>.</summary>
/// <remarks>
/// <para>Successful checks are remembered, keyed by SHA-256 of (user, hash, password), so a Prometheus
/// scraping every 15 s pays bcrypt once, not on every scrape (exporter-toolkit does the same). Because the
/// hash is part of the key, a changed hash in a reloaded file is never satisfied by an old entry. Failures
/// are never cached. The cache holds at most <see cref="MaxCachedEntries"/> entries and is emptied when full,
/// which only costs the next requests one bcrypt each.</para>
/// <para>An unknown user is checked against <see cref="WebConfigFile.UnknownUserHash"/>, a hash with the
/// highest configured cost, so the answer takes as long as for a known user with a wrong password.</para>
/// <para>Thread-safe. At most <see cref="MaxConcurrentHashes"/> (one per core) bcrypt computations run at once. An
/// attempt that needs one while all are busy is not queued: it gets <see cref="BasicAuthOutcome.Busy"/> at once,
/// so a flood of bad passwords can neither take every core nor make a correct, cached login wait behind it.</para>
/// </remarks>
internal sealed class BasicAuthVerifier(int maxConcurrentHashes)
{
    internal const int MaxCachedEntries = 1024;

    internal static readonly int MaxConcurrentHashes = Math.Max(1, Environment.ProcessorCount);

    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _hashing = new(maxConcurrentHashes, maxConcurrentHashes);

    public BasicAuthVerifier()
        : this(MaxConcurrentHashes)
    {
    }

    /// <summary>Number of remembered successful checks (for tests).</summary>
    internal int CachedCount => _verified.Count;

    /// <summary>True when <paramref name="user"/> is configured and <paramref name="password"/> matches its hash.</summary>
    public async ValueTask<bool> VerifyAsync(WebConfigFile config, string user, string password, CancellationToken cancellationToken) =>
        await CheckAsync(config, user, password, cancellationToken).ConfigureAwait(false) == BasicAuthOutcome.Ok;

    /// <summary>Checks the credentials: from the cache when they passed before, else with bcrypt if a core is free.</summary>
    public ValueTask<BasicAuthOutcome> CheckAsync(WebConfigFile config, string user, string password, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var known = config.BasicAuthUsers.TryGetValue(user, out var hash);
        var checkedHash = known ? hash! : config.UnknownUserHash;
        if (checkedHash is null)
        {
            return ValueTask.FromResult(BasicAuthOutcome.UnknownUser);
        }

        var key = CacheKey(user, checkedHash, password);
        if (known && _verified.ContainsKey(key))
        {
            return ValueTask.FromResult(BasicAuthOutcome.Ok);
        }

        if (!_hashing.Wait(0, CancellationToken.None))
        {
            return ValueTask.FromResult(BasicAuthOutcome.Busy);
        }

        bool ok;
        try
        {
            ok = Bcrypt.Verify(password, checkedHash);
        }
        finally
        {
            _hashing.Release();
        }

        if (!known)
        {
            return ValueTask.FromResult(BasicAuthOutcome.UnknownUser);
        }

        if (!ok)
        {
            return ValueTask.FromResult(BasicAuthOutcome.WrongPassword);
        }

        if (_verified.Count >= MaxCachedEntries)
        {
            _verified.Clear();
        }

        _verified.TryAdd(key, 0);
        return ValueTask.FromResult(BasicAuthOutcome.Ok);
    }

    private static string CacheKey(string user, string hash, string password)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(sha, user);
        Append(sha, hash);
        Append(sha, password);
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    // Length-prefixed so that ("ab", "c") and ("a", "bc") cannot collide.
    private static void Append(IncrementalHash sha, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        sha.AppendData(length);
        sha.AppendData(bytes);
        CryptographicOperations.ZeroMemory(bytes);
    }
}
