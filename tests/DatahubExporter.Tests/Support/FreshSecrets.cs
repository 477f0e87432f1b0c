using System.Security.Cryptography;
using System.Text;
using CkafkaSimulator;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// A key pair and token no other test has used, for in-process tests that search the output for secrets. The
/// exporter masks every secret its credential providers have handed out, process-wide (<c>SecretScrubber.Process</c>);
/// with <see cref="EndToEndFixture"/>'s constants, a test in the same process that protected them earlier would
/// hide a leak that a fresh process shows. The SecretId keeps the fixture's shape (<c>AKID</c>…<c>0001</c>), so
/// its masked form is the same <c>AKID…0001</c>.
/// </summary>
internal sealed record FreshSecrets(string SecretId, string SecretKey, string Token)
{
    public static FreshSecrets New()
    {
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return new($"AKIDfresh{tag}0001", $"freshSecretKeyMustNeverLeak{tag}", $"freshTokenMustNeverLeak{tag}");
    }

    /// <summary>The simulator knowing this key pair (and requiring <paramref name="token"/> when given).</summary>
    public SimulatorOptions SimulatorOptions(int tasks = 250, int resources = 120, string? token = null) =>
        EndToEndFixture.SimulatorOptionsWith(SecretId, SecretKey, tasks, resources, token);

    /// <summary>Writes <c>datahub_exporter.conf</c> (mode 0600) with these keys into <paramref name="dir"/>, as
    /// <see cref="EndToEndFixture.WriteConfig"/> does with the fixture's.</summary>
    public string WriteConfig(string dir, Uri endpoint, bool withToken = false, string regions = "ap-guangzhou, ap-shanghai", string? key = null) =>
        EndToEndFixture.WriteConfigWith(SecretId, key ?? SecretKey, dir, endpoint, withToken ? Token : null, regions);

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> (mode 0600) with the fixture's
    /// secrets replaced by these, byte for byte otherwise (a BOM, CRLF and binary garbage survive).</summary>
    public void CopyReplacing(string source, string destination)
    {
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(source))
            .Replace(EndToEndFixture.SecretId, SecretId, StringComparison.Ordinal)
            .Replace(EndToEndFixture.SecretKey, SecretKey, StringComparison.Ordinal)
            .Replace(EndToEndFixture.Token, Token, StringComparison.Ordinal);
        File.WriteAllBytes(destination, Encoding.Latin1.GetBytes(text));
        MakePrivate(destination);
    }

    /// <summary>Asserts that <paramref name="text"/> holds neither the key nor the token nor the unmasked SecretId.</summary>
    public void AssertNoneIn(string text, string where)
    {
        Assert.That(text, Does.Not.Contain(SecretKey), $"secret key leaked in {where}");
        Assert.That(text, Does.Not.Contain(Token), $"token leaked in {where}");
        Assert.That(text, Does.Not.Contain(SecretId), $"unmasked secret id in {where}");
    }

    private static void MakePrivate(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
