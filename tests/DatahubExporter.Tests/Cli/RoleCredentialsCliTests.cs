using System.Text.RegularExpressions;
using CkafkaSimulator;

namespace DatahubExporter.Tests.Cli;

/// <summary>
/// <c>--config.check</c> and <c>--once</c> in-process (<see cref="InProcessCli"/>) with role credentials (issue 10): no
/// keys in the file or environment, temporary keys from a loopback fake of the CVM metadata service, issued by the
/// simulator. The server with role credentials (refreshes, SIGHUP, metrics) is in <c>EndToEnd/RoleCredentialsTests</c>.
/// </summary>
public class RoleCredentialsCliTests
{
    private TempDirectory _temp = null!;
    private SimulatorServer _simulator = null!;
    private FakeMetadataService _metadata = null!;
    private string _home = null!;
    private string _config = null!;
    private readonly List<string> _output = [];

    [SetUp]
    public async Task StartAsync()
    {
        _temp = new TempDirectory();
        _simulator = await SimulatorServer.StartAsync(FreshSecrets.New().SimulatorOptions(tasks: 40, resources: 10));
        _metadata = await FakeMetadataService.StartAsync(() => _simulator.State.IssueTemporaryKey(TimeSpan.FromMinutes(10)));
        _home = _temp.PathOf("home");
        Directory.CreateDirectory(_home);
        // No keys: region and endpoint only.
        _config = _temp.PathOf("datahub_exporter.conf");
        File.WriteAllText(_config, $"[common]\nregion = ap-guangzhou, ap-shanghai\nendpoint = {_simulator.BaseAddress.GetLeftPart(UriPartial.Authority)}\n");
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _metadata.DisposeAsync();
        await _simulator.DisposeAsync();
        _temp.Dispose();

        var output = string.Concat(_output);
        foreach (var key in _metadata.Issued)
        {
            Assert.That(output, Does.Not.Contain(key.SecretKey).And.Not.Contain(key.Token).And.Not.Contain(key.SecretId), "a temporary secret in the output");
        }

        EndToEndFixture.AssertNoStackTrace(output, "exporter output");
        Assert.That(_metadata.Surprises, Is.Empty, "the fake saw requests it did not expect");
    }

    private Dictionary<string, string> CvmEnv() => new()
    {
        ["HOME"] = _home,
        ["DATAHUB_EXPORTER_METADATA_URL"] = _metadata.BaseAddress.ToString(),
    };

    private async Task<ProcessResult> RunAsync(params string[] args)
    {
        var result = await InProcessCli.RunAsync(args, CvmEnv());
        _output.Add(result.StdOut + result.StdErr);
        return result;
    }

    [Test]
    public async Task Config_check_fetches_role_credentials_and_names_the_source()
    {
        var (code, stdout, stderr) = await RunAsync("--conf", _config, "--config.check");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Match($"^configuration OK: file={Regex.Escape(_config)} regions=ap-guangzhou,ap-shanghai " +
            $"credential_source=cvm_role role=datahub-reader \\(discovered\\) metadata={Regex.Escape(_metadata.BaseAddress.ToString())} " +
            "secret_id=AKID…[0-9a-f]{4} expires=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ endpoint="));
        Assert.That(_simulator.State.RequestCount(), Is.EqualTo(0), "--config.check never calls the CKafka API");
    }

    [TestCase("--config.check")]
    [TestCase("--once")]
    public async Task No_credentials_anywhere_is_one_line_listing_what_was_tried_and_exit_2(string mode)
    {
        _metadata.Answer = FakeMetadataService.Behaviour.NoRole;

        var (code, stdout, stderr) = await RunAsync("--conf", _config, mode);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Is.EqualTo(
            "datahub_exporter: credentials: no credentials found; tried in order: " +
            "key pair ([common] secret_id/secret_key, TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY): not set; " +
            $"profile file ({Path.Combine(_home, ".tencentcloud", "credentials")}, /etc/tencentcloud/credentials): not found; " +
            "TKE OIDC (TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN): not set; " +
            $"cvm_role: CVM metadata {_metadata.BaseAddress}: no CAM role is bound to this instance (HTTP 404)\n"));
    }

    [Test]
    public async Task A_bad_filter_is_exit_2_naming_the_key()
    {
        File.AppendAllText(_config, "task_name_exclude = (unclosed\n");

        var (code, _, stderr) = await RunAsync("--conf", _config, "--config.check");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Is.EqualTo($"datahub_exporter: {_config}:4: key \"task_name_exclude\" in [common]: \"(unclosed\" is not a valid regular expression: Not enough )'s at offset 9\n"));
        Assert.That(_metadata.Requests, Is.EqualTo(0), "a bad file stops before any source is asked");
    }
}
