using System.CommandLine;
using System.Globalization;
using CkafkaSimulator;

// ckafka_simulator: the CKafka API look-alike as a process, for tests that start real binaries and for demos.
// Prints its base URL on stdout, then serves until Ctrl-C or SIGTERM.

var listen = new Option<string>("--listen")
{
    Description = "IP:PORT to listen on (loopback is the intended use; port 0 picks a free one)",
    DefaultValueFactory = _ => "127.0.0.1:9100",
};
var tasks = new Option<int>("--tasks") { Description = "Number of generated Datahub tasks", DefaultValueFactory = _ => 250 };
var resources = new Option<int>("--resources") { Description = "Number of generated connect resources", DefaultValueFactory = _ => 120 };
var regions = new Option<string?>("--regions") { Description = "Comma-separated regions to accept (default: any region)" };
var secretId = new Option<string>("--secret-id") { Description = "SecretId to accept", DefaultValueFactory = _ => SimulatorOptions.DemoSecretId };
var secretKey = new Option<string>("--secret-key") { Description = "SecretKey to accept", DefaultValueFactory = _ => SimulatorOptions.DemoSecretKey };
var token = new Option<string?>("--token") { Description = "Require this X-TC-Token (temporary credentials)" };
var seed = new Option<int>("--seed") { Description = "Seed of the generated data", DefaultValueFactory = _ => 1 };
var allRunning = new Option<bool>("--all-running") { Description = "Generate every task and resource with status 1 (running)" };
var plainNames = new Option<bool>("--plain-names") { Description = "Do not generate hostile names (quotes, newlines, CJK, …)" };
var lagSinks = new Option<bool>("--lag-sinks")
{
    Description = "Make exactly one task in five a running SINK with a consumer group (source KAFKA or TOPIC, alternately); other SINK tasks are not running",
};

var root = new RootCommand("A look-alike of Tencent Cloud's CKafka API (TC3-signed, paged, with fault injection) for tests and demos")
{
    listen, tasks, resources, regions, secretId, secretKey, token, seed, allRunning, plainNames, lagSinks,
};
root.SetAction(async (parse, cancellationToken) =>
{
    SimulatorOptions options;
    try
    {
        var (address, port) = ParseListen(parse.GetValue(listen)!);
        var regionList = parse.GetValue(regions)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        options = new SimulatorOptions
        {
            ListenAddress = address,
            Port = port,
            Keys = new Dictionary<string, string>(StringComparer.Ordinal) { [parse.GetValue(secretId)!] = parse.GetValue(secretKey)! },
            RequiredToken = parse.GetValue(token),
            Regions = regionList is { Length: > 0 } ? regionList : null,
            DataSet = SimulatorDataSet.Generate(parse.GetValue(tasks), parse.GetValue(resources),
                hostileNames: !parse.GetValue(plainNames), seed: parse.GetValue(seed), allRunning: parse.GetValue(allRunning),
                lagSinks: parse.GetValue(lagSinks)),
        };
    }
    catch (ArgumentException e)
    {
        // Only our own messages: they name the bad value, never a key.
        await Console.Error.WriteLineAsync("ckafka_simulator: " + e.Message);
        return 2;
    }

    SimulatorServer server;
    try
    {
        server = await SimulatorServer.StartAsync(options, cancellationToken);
    }
    catch (Exception e) when (e is IOException or ArgumentException or System.Net.Sockets.SocketException)
    {
        await Console.Error.WriteLineAsync("ckafka_simulator: cannot listen: " + e.Message);
        return 1;
    }
    await using (server)
    {
        Console.Out.Write(server.BaseAddress + "\n");
        await Console.Out.FlushAsync(CancellationToken.None);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM: fall through to the orderly stop.
        }
    }
    return 0;
});

return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });

static (string Address, int Port) ParseListen(string text)
{
    var colon = text.LastIndexOf(':');
    if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
    {
        throw new ArgumentException($"--listen '{text}' is not IP:PORT");
    }
    return (text[..colon], port);
}
