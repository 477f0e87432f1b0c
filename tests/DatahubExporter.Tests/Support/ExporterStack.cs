using CkafkaSimulator;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// What an end-to-end fixture (see <see cref="EndToEndFixture"/>) starts: a private temp folder, the CKafka simulator,
/// a config file for it, the real exporter binary started on it (loopback, port 0) and an HTTP client. A fixture
/// starts one per test or per fixture and
/// stops it in its tear-down, which also checks the exporter's logs for secrets and stack traces. Disposing without
/// <see cref="StopAsync"/> (a test that failed half-way) stops everything and checks nothing.
/// </summary>
internal sealed class ExporterStack : IAsyncDisposable
{
    private readonly TempDirectory _temp;
    private bool _stopped;

    private ExporterStack(TempDirectory temp, SimulatorServer simulator, string config, HttpClient http)
    {
        _temp = temp;
        Simulator = simulator;
        ConfigPath = config;
        Http = http;
    }

    /// <summary>The stack's private folder (a <see cref="TempDirectory"/>), holding the config; deleted on dispose.</summary>
    public string Dir => _temp.Path;

    public SimulatorServer Simulator { get; }

    public string ConfigPath { get; }

    public HttpClient Http { get; }

    public ExporterProcess Exporter { get; private set; } = null!;

    public Uri BaseAddress => Exporter.BaseAddress;

    /// <summary>Starts the simulator with <paramref name="simulator"/> (default <see cref="EndToEndFixture.SimulatorOptions"/>),
    /// writes the config (with <paramref name="token"/> when given), then, unless <paramref name="startExporter"/> is false,
    /// the exporter with <c>--conf</c>, <c>--web.listen-address=127.0.0.1:0</c> and <paramref name="flags"/>.</summary>
    /// <param name="regions">The config's <c>region</c> line.</param>
    public static async Task<ExporterStack> StartAsync(SimulatorOptions? simulator = null, string? token = null, string[]? flags = null,
        bool startExporter = true, string regions = "ap-guangzhou, ap-shanghai")
    {
        var temp = new TempDirectory("datahub-e2e-");
        var server = await SimulatorServer.StartAsync(simulator ?? EndToEndFixture.SimulatorOptions(token: token));

        var stack = new ExporterStack(temp, server, EndToEndFixture.WriteConfig(temp.Path, server.BaseAddress, token: token, regions: regions), EndToEndFixture.Http());
        var started = !startExporter;
        try
        {
            if (startExporter)
            {
                await stack.StartExporterAsync(flags ?? []);
                started = true;
            }
        }
        finally
        {
            if (!started)
            {
                // The exporter did not come up: leave no simulator or folder behind; the start's exception says why.
                await stack.DisposeAsync();
            }
        }

        return stack;
    }

    /// <summary>Starts (or replaces) the exporter on this stack's config with <paramref name="flags"/> added.</summary>
    public async Task<ExporterProcess> StartExporterAsync(params string[] flags)
    {
        if (Exporter is not null)
        {
            await Exporter.DisposeAsync();
        }

        Exporter = await ExporterProcess.StartServerAsync(["--conf", ConfigPath, "--web.listen-address=127.0.0.1:0", .. flags]);
        return Exporter;
    }

    /// <summary>GETs <paramref name="path"/> from the exporter, asserting 200.</summary>
    public Task<string> GetAsync(string path, double? scrapeTimeout = null) => EndToEndFixture.GetAsync(Http, BaseAddress, path, scrapeTimeout);

    /// <summary>Stops everything, deletes the folder and asserts that the exporter's stderr (returned) holds no
    /// secret and no stack trace, naming <paramref name="where"/> in the failure.</summary>
    public async Task<string> StopAsync(string where)
    {
        var stderr = _stopped ? "" : Exporter?.Stderr ?? "";
        await DisposeAsync();
        EndToEndFixture.AssertNoSecrets(stderr, where);
        EndToEndFixture.AssertNoStackTrace(stderr, where);
        return stderr;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Http.Dispose();
        if (Exporter is not null)
        {
            await Exporter.DisposeAsync();
        }

        await Simulator.DisposeAsync();
        _temp.Dispose();
    }
}
