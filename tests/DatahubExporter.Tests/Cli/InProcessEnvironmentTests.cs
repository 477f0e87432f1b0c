namespace DatahubExporter.Tests.Cli;

/// <summary>
/// <see cref="InProcessCli"/>'s promise, checked against the real process environment: the program sees only the
/// variables a test gives it, never the keys of whoever runs the tests (TENCENTCLOUD_* exported in their shell).
/// </summary>
// Sets variables of the test process itself, which every class running beside it would see.
[NonParallelizable]
public class InProcessEnvironmentTests
{
    private static readonly string[] Names = ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_REGION"];

    [Test]
    public async Task The_test_runners_tencentcloud_variables_are_never_read()
    {
        var secrets = FreshSecrets.New();
        var variables = new Dictionary<string, string>
        {
            ["TENCENTCLOUD_SECRET_ID"] = secrets.SecretId,
            ["TENCENTCLOUD_SECRET_KEY"] = secrets.SecretKey,
            ["TENCENTCLOUD_REGION"] = "ap-guangzhou",
        };
        var saved = Names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        using var temp = new TempDirectory();
        string[] args = ["--conf", temp.PathOf("absent.conf"), "--config.check"];
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            // Positive control: the same variables, given, make a valid configuration without a file.
            var (given, _, givenErr) = await InProcessCli.RunAsync(args, variables);
            Assert.That(given, Is.EqualTo(0), givenErr);

            // Set in the test process but not given: as if there were none.
            var (code, stdout, stderr) = await InProcessCli.RunAsync(args);
            Assert.That(code, Is.EqualTo(2), stdout);
            Assert.That(EndToEndFixture.AssertOneLine(stderr, "no file, no variables"), Does.Contain("TENCENTCLOUD_REGION"));
            secrets.AssertNoneIn(stdout + stderr + givenErr, "--config.check");
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
