using CkafkaSimulator;
using DatahubExporter.Collectors;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The base of every end-to-end fixture (they derive from it, so its pieces need no qualifier): the fake credentials,
/// the scrape paths, a config file (in a <see cref="TempDirectory"/>) and HTTP helpers; <see cref="ExporterStack"/> starts the
/// simulator and the exporter. Every fixture deriving from it is in the <see cref="BinaryCategory"/> category, the
/// native pass of <c>.ci/run</c> selects by it. Fixtures run in parallel: each test starts its own simulator and
/// exporter on port 0 with a private temp folder, so nothing here is shared between fixtures.
/// </summary>
[Category(BinaryCategory)]
public abstract class EndToEndFixture
{
    /// <summary>The category of every fixture that starts the exporter binary (<see cref="ExporterProcess"/>):
    /// CI runs these, and only these, again against the NativeAOT binary. <c>ExporterProcess</c> refuses to start
    /// from a test outside it, so the native pass cannot miss one.</summary>
    public const string BinaryCategory = "Binary";

    /// <summary>A fake key that must never appear in any output; tests search for it.</summary>
    public const string SecretKey = "e2eSecretKeyMustNeverLeak0123456789";
    public const string SecretId = "AKIDe2eTestSecretIdMustBeMasked0001";
    public const string Token = "e2eTokenMustNeverLeakEither";

    public static readonly string[] Regions = ["ap-guangzhou", "ap-shanghai"];

    /// <summary>The scrape paths as the product defines them, so a renamed path breaks no test by a stale literal.</summary>
    public static readonly string TasksPath = DatahubTasksPath.Path.HttpPath;

    public static readonly string ResourcesPath = ConnectResourcesPath.Path.HttpPath;

    /// <summary>The HTTP path of the collector named <paramref name="collector"/> (for test cases, which need constants).</summary>
    public static string PathOf(string collector) => ExporterServices.AllPaths.Single(p => p.Name == collector).HttpPath;

    public static SimulatorOptions SimulatorOptions(int tasks = 250, int resources = 120, string? token = null) =>
        SimulatorOptionsWith(SecretId, SecretKey, tasks, resources, token);

    /// <summary><see cref="SimulatorOptions"/> knowing another key pair (<see cref="FreshSecrets"/>).</summary>
    public static SimulatorOptions SimulatorOptionsWith(string secretId, string secretKey, int tasks, int resources, string? token) => new()
    {
        Keys = new Dictionary<string, string> { [secretId] = secretKey },
        RequiredToken = token,
        DataSet = SimulatorDataSet.Generate(tasks, resources),
    };

    /// <summary>Writes a config (mode 0600) for the simulator into <paramref name="dir"/> (a <see cref="TempDirectory"/>'s)
    /// and returns its path.</summary>
    public static string WriteConfig(string dir, Uri endpoint, string? token = null, string regions = "ap-guangzhou, ap-shanghai", string? key = null) =>
        WriteConfigWith(SecretId, key ?? SecretKey, dir, endpoint, token, regions);

    /// <summary><see cref="WriteConfig"/> with another key pair (<see cref="FreshSecrets"/>).</summary>
    public static string WriteConfigWith(string secretId, string secretKey, string dir, Uri endpoint, string? token, string regions)
    {
        var path = Path.Combine(dir, "datahub_exporter.conf");
        File.WriteAllText(path, $"""
            [common]
            secret_id = {secretId}
            secret_key = {secretKey}
            region = {regions}
            endpoint = {endpoint.GetLeftPart(UriPartial.Authority)}
            {(token is null ? "" : "token = " + token)}

            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    public static HttpClient Http() => new(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<string> GetAsync(HttpClient http, Uri baseAddress, string path, double? scrapeTimeout = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, path));
        if (scrapeTimeout is { } t)
        {
            request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", t.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await http.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), $"GET {path}");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Makes a named pipe with mkfifo(1), bounded.</summary>
    public static void Mkfifo(string path)
    {
        var result = ChildProcess.RunAsync("mkfifo", [path], timeout: TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        Assert.That(result.ExitCode, Is.EqualTo(0), $"mkfifo {path}: {result.Output}");
    }

    /// <summary>A user error is exactly one non-empty line on stderr, prefixed with the program name, and never a
    /// stack trace (exporter.md "Command line"); returns the line.</summary>
    public static string AssertOneLine(string stderr, string what)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), $"{what}: expected one line on stderr, got:\n{stderr}");
        Assert.That(lines[0], Does.StartWith("datahub_exporter: "), what);
        AssertNoStackTrace(stderr, what);
        return lines[0];
    }

    /// <summary>Asserts that <paramref name="text"/> holds no stack trace and no unhandled exception.</summary>
    public static void AssertNoStackTrace(string text, string what)
    {
        Assert.That(text.Split('\n').Where(l => l.StartsWith("   at ", StringComparison.Ordinal)), Is.Empty, $"{what}: stack trace in output:\n{text}");
        Assert.That(text, Does.Not.Contain("Unhandled exception"), what);
    }

    public static void AssertNoSecrets(string text, string where)
    {
        Assert.That(text, Does.Not.Contain(SecretKey), $"secret key leaked in {where}");
        Assert.That(text, Does.Not.Contain(Token), $"token leaked in {where}");
        Assert.That(text, Does.Not.Contain(SecretId), $"unmasked secret id in {where}");
    }
}
