using DatahubExporter.Http;
using DatahubExporter.WebConfig;

namespace DatahubExporter.Tests.WebConfig;

public sealed class BcryptTests
{
    // Published test vectors of Openwall's crypt_blowfish (wrapper.c), also used by libxcrypt's own tests.
    [TestCase("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [TestCase("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK")]
    [TestCase("U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a")]
    [TestCase("", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy")]
    public void Published_vector_verifies(string password, string hash) =>
        Assert.That(Bcrypt.Verify(password, hash), Is.True);

    [TestCase("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK")]
    [TestCase("u*u", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [TestCase("U*U ", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    public void Wrong_password_does_not_verify(string password, string hash) =>
        Assert.That(Bcrypt.Verify(password, hash), Is.False);

    // Made with the system's libxcrypt 4.4 (crypt(3), which htpasswd -B and the previous implementation used), so
    // hashes operators already have keep verifying: $2y$ at cost 10 as htpasswd writes it, non-ASCII UTF-8, and a
    // password past bcrypt's 72-byte limit.
    [TestCase("correct horse", "$2y$10$abcdefghijklmnopqrstuu23JPZtHcGhwXSF41f93o/7vBdDut3Xu")]
    [TestCase("pässwörd", "$2b$04$ABCDEFGHIJKLMNOPQRSTUuek4CbSQQu35c9YYgSnjvfYm3e9bPOL.")]
    [TestCase("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "$2a$06$0123456789abcdefghijkui3n3bpYctGfL78cOmSKYurUGyV7l98e")]
    public void Hash_made_by_libxcrypt_verifies(string password, string hash)
    {
        Assert.That(Bcrypt.Verify(password, hash), Is.True);
        Assert.That(Bcrypt.Verify(password[..^1], hash), Is.EqualTo(password.Length > 72));
    }

    [TestCase("$2b$")]
    [TestCase("$2y$")]
    public void Hash_made_here_verifies_under_each_prefix(string prefix)
    {
        var hash = prefix + Bcrypt.Hash("pässwörd", 4)[4..];

        Assert.That(Bcrypt.Verify("pässwörd", hash), Is.True);
        Assert.That(Bcrypt.Verify("passwort", hash), Is.False);
    }

    [Test]
    public void Hash_has_the_requested_cost_and_a_fresh_salt()
    {
        var first = Bcrypt.Hash("secret", 5);
        var second = Bcrypt.Hash("secret", 5);

        Assert.That(first, Does.StartWith("$2b$05$"));
        Assert.That(Bcrypt.IsWellFormedHash(first), Is.True);
        Assert.That(second, Is.Not.EqualTo(first));
    }

    [TestCase("$1$saltsalt$qjXMvbEw8oaL.CzflDugX/")]
    [TestCase("$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [TestCase("$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [TestCase("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe")]
    [TestCase("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW\n")]
    [TestCase("")]
    public void Malformed_hash_is_rejected(string hash)
    {
        Assert.That(Bcrypt.IsWellFormedHash(hash), Is.False);
        Assert.That(Bcrypt.Verify("U*U", hash), Is.False);
    }

    [Test]
    public void Password_with_nul_does_not_verify_as_its_prefix() =>
        Assert.That(Bcrypt.Verify("U*U\0anything", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"), Is.False);

    [Test]
    public void Only_the_first_72_bytes_count()
    {
        var password = new string('a', 72);
        var hash = Bcrypt.Hash(password, 4);

        Assert.That(Bcrypt.Verify(password + "ignored", hash), Is.True);
        Assert.That(Bcrypt.Verify(password[..71], hash), Is.False);
    }

    [Test]
    public void Verify_is_safe_in_parallel()
    {
        var hash = Bcrypt.Hash("parallel", 4);
        var results = new bool[64];

        Parallel.For(0, results.Length, i => results[i] = Bcrypt.Verify(i % 2 == 0 ? "parallel" : "wrong", hash));

        Assert.That(results.Where((_, i) => i % 2 == 0), Is.All.True);
        Assert.That(results.Where((_, i) => i % 2 == 1), Is.All.False);
    }
}
