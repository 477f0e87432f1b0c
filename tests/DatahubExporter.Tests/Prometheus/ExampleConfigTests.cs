using DatahubExporter.Configuration;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>
/// examples/datahub_exporter.conf is not only documentation: the loader and the real binary accept it as
/// shipped, so a user who copies it and fills in the placeholders starts from a file that works.
/// </summary>
[Category(EndToEndFixture.BinaryCategory)]
public class ExampleConfigTests
{
    private const string ConfigFile = "examples/datahub_exporter.conf";
    private const string PlaceholderSecretId = "AKIDxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    private const string PlaceholderSecretKey = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

    [Test]
    public void Loader_reads_the_placeholder_values_without_any_environment()
    {
        var config = QuietChain.Load(PrometheusTools.RepoPath(ConfigFile), _ => null);

        Assert.That(config.Credentials.Current!.SecretId, Is.EqualTo(PlaceholderSecretId));
        Assert.That(config.Credentials.Current!.SecretKey, Is.EqualTo(PlaceholderSecretKey));
        Assert.That(config.Credentials.Current!.Token, Is.Null, "token is commented out in the example");
        Assert.That(config.Regions, Is.EqualTo(new[] { "ap-guangzhou" }));
        Assert.That(config.Endpoint, Is.Null, "endpoint is commented out in the example");
        Assert.That(config.EndpointFor("ap-guangzhou"), Is.EqualTo(new Uri("https://ckafka.ap-guangzhou.tencentcloudapi.com/")));
    }

    [Test]
    public void Environment_still_overrides_the_example()
    {
        var env = new Dictionary<string, string>
        {
            [ConfigLoader.SecretIdVariable] = "AKIDfromEnvironment000000000000000001",
            [ConfigLoader.RegionVariable] = "ap-shanghai,ap-beijing",
        };

        var config = QuietChain.Load(PrometheusTools.RepoPath(ConfigFile), env.GetValueOrDefault);

        Assert.That(config.Credentials.Current!.SecretId, Is.EqualTo("AKIDfromEnvironment000000000000000001"));
        Assert.That(config.Credentials.Current!.SecretKey, Is.EqualTo(PlaceholderSecretKey));
        Assert.That(config.Regions, Is.EqualTo(new[] { "ap-shanghai", "ap-beijing" }));
    }

    [Test]
    public async Task Config_check_of_the_binary_accepts_the_example()
    {
        var (exitCode, stdout, stderr) = await ExporterProcess.RunAsync(
            ["--config.check", "--conf", PrometheusTools.RepoPath(ConfigFile)], timeout: TimeSpan.FromSeconds(30));

        Assert.That(exitCode, Is.EqualTo(0), stdout + stderr);
        Assert.That(stdout + stderr, Does.Contain("regions=ap-guangzhou"));
        // The placeholder key is a substring of the placeholder id too, so this also rules out an unmasked id.
        Assert.That(stdout + stderr, Does.Not.Contain(PlaceholderSecretKey));
    }

    [Test]
    public async Task Config_check_of_the_binary_rejects_a_broken_copy_of_the_example()
    {
        // Without this the test above could pass against a --config.check that accepts anything.
        using var temp = new TempDirectory("example-conf-");
        var dir = temp.Path;
        var path = Path.Combine(dir, "datahub_exporter.conf");
        var text = await File.ReadAllTextAsync(PrometheusTools.RepoPath(ConfigFile));
        await File.WriteAllTextAsync(path, text.Replace(";endpoint =", "endpoitn =", StringComparison.Ordinal));

        var (exitCode, stdout, stderr) = await ExporterProcess.RunAsync(["--config.check", "--conf", path], timeout: TimeSpan.FromSeconds(30));

        Assert.That(exitCode, Is.EqualTo(2), stdout + stderr);
        Assert.That(stdout + stderr, Does.Contain("endpoitn"));
    }
}
