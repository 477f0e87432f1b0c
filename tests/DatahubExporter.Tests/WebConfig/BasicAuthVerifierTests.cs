using DatahubExporter.Http;
using DatahubExporter.WebConfig;

namespace DatahubExporter.Tests.WebConfig;

public sealed class BasicAuthVerifierTests
{
    private static WebConfigFile Config(params (string User, string Hash)[] users) => new()
    {
        BasicAuthUsers = users.ToDictionary(u => u.User, u => u.Hash, StringComparer.Ordinal),
        UnknownUserHash = Bcrypt.Hash("unguessable", 4),
    };

    [Test]
    public async Task Only_successes_are_cached()
    {
        var verifier = new BasicAuthVerifier();
        var config = Config(("alice", Bcrypt.Hash("right", 4)));

        Assert.That(await verifier.VerifyAsync(config, "alice", "wrong", CancellationToken.None), Is.False);
        Assert.That(await verifier.VerifyAsync(config, "mallory", "unguessable", CancellationToken.None), Is.False);
        Assert.That(verifier.CachedCount, Is.EqualTo(0));
        Assert.That(await verifier.VerifyAsync(config, "alice", "right", CancellationToken.None), Is.True);
        Assert.That(await verifier.VerifyAsync(config, "alice", "right", CancellationToken.None), Is.True);
        Assert.That(verifier.CachedCount, Is.EqualTo(1));
    }

    [Test]
    public async Task A_changed_hash_is_not_satisfied_by_the_cache()
    {
        var verifier = new BasicAuthVerifier();
        var before = Config(("alice", Bcrypt.Hash("old", 4)));
        var after = Config(("alice", Bcrypt.Hash("new", 4)));

        Assert.That(await verifier.VerifyAsync(before, "alice", "old", CancellationToken.None), Is.True);
        Assert.That(await verifier.VerifyAsync(after, "alice", "old", CancellationToken.None), Is.False);
        Assert.That(await verifier.VerifyAsync(after, "alice", "new", CancellationToken.None), Is.True);
    }

    [Test]
    public async Task Unknown_user_never_passes_even_with_the_dummy_password()
    {
        var verifier = new BasicAuthVerifier();
        var config = Config(("alice", Bcrypt.Hash("right", 4)));

        Assert.That(await verifier.VerifyAsync(config, "bob", "unguessable", CancellationToken.None), Is.False);
    }

    [Test]
    public async Task Users_are_case_sensitive()
    {
        var verifier = new BasicAuthVerifier();
        var config = Config(("alice", Bcrypt.Hash("right", 4)));

        Assert.That(await verifier.VerifyAsync(config, "Alice", "right", CancellationToken.None), Is.False);
    }
}
