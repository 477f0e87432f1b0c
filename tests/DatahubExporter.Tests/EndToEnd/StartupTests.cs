
namespace DatahubExporter.Tests.EndToEnd;

/// <summary>What the running binary holds besides the scrape: nothing it does not need.</summary>
public class StartupTests : EndToEndFixture
{
    [Test]
    public async Task The_server_holds_no_inotify_watch_and_serves_no_simulator_admin_api_without_demo()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("reads /proc");
        }

        using var temp = new TempDirectory();
        var dir = temp.Path;
        await using var simulator = await CkafkaSimulator.SimulatorServer.StartAsync(SimulatorOptions(tasks: 10, resources: 5));
        var conf = WriteConfig(dir, simulator.BaseAddress);
        await using var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0"]);
        using var http = Http();
        await GetAsync(http, exporter.BaseAddress, TasksPath);

        // The host's default appsettings.json watcher is a recursive inotify watch of the working directory
        // (one watch per directory below it; thousands when started from /). Nothing else watches files.
        var descriptors = Directory.GetFiles($"/proc/{exporter.Pid}/fd").Select(fd => new FileInfo(fd).LinkTarget ?? "").ToList();
        Assert.That(descriptors, Has.None.Contains("inotify"));

        using var admin = await http.GetAsync(new Uri(exporter.BaseAddress, "/_sim/state"));
        Assert.That((int)admin.StatusCode, Is.EqualTo(404));
    }
    [Test]
    public async Task OpenSSL_is_not_loaded_before_the_first_api_call_even_while_the_config_file_is_polled()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("reads /proc");
        }

        // libcrypto is 3.4 MiB of an idle native process; only signing (the first API call) and TLS need it. The
        // once-a-second check of the config file once hashed it with SHA-256, which loaded OpenSSL at start-up.
        using var temp = new TempDirectory();
        await using var simulator = await CkafkaSimulator.SimulatorServer.StartAsync(SimulatorOptions(tasks: 10, resources: 5));
        var conf = WriteConfig(temp.Path, simulator.BaseAddress);
        await using var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0"]);
        // Proof that the poll ran, rather than a wait: an edit of the file is seen (hashed) and reloaded.
        await File.AppendAllTextAsync(conf, "\n# edited so that the once-a-second check has something to find\n");
        await Eventually.HoldsAsync(() => exporter.Stderr.Contains("msg=\"configuration reloaded\""), "the edited config file reloaded");
        Assert.That(await File.ReadAllTextAsync($"/proc/{exporter.Pid}/maps"), Does.Not.Contain("libcrypto"), "before any scrape");

        using var http = Http();
        await GetAsync(http, exporter.BaseAddress, TasksPath);
        Assert.That(await File.ReadAllTextAsync($"/proc/{exporter.Pid}/maps"), Does.Contain("libcrypto"),
            "the first scrape signs its API calls, so OpenSSL is there now (the check above can fail)");
    }

    [Test]
    public async Task Appsettings_files_and_host_variables_reconfigure_neither_kestrel_nor_logging()
    {
        using var temp = new TempDirectory();
        var dir = temp.Path;
        await using var simulator = await CkafkaSimulator.SimulatorServer.StartAsync(SimulatorOptions(tasks: 10, resources: 5));
        var conf = WriteConfig(dir, simulator.BaseAddress);
        int[] stray = [FreePort(), FreePort(), FreePort(), FreePort()];
        // What the default ASP.NET Core host reads on its own: appsettings*.json in the working directory and
        // configuration from the environment. Each asks for an extra endpoint and trace logging.
        var settings = $$"""
            {
              "Kestrel": { "Endpoints": { "Stray": { "Url": "http://127.0.0.1:{{stray[0]}}" } } },
              "Logging": { "LogLevel": { "Default": "Trace", "Microsoft": "Trace", "DatahubExporter": "Trace" } },
              "AllowedHosts": "example.invalid"
            }
            """;
        await File.WriteAllTextAsync(Path.Combine(dir, "appsettings.json"), settings);
        await File.WriteAllTextAsync(Path.Combine(dir, "appsettings.Production.json"), settings.Replace($"{stray[0]}", $"{stray[1]}"));
        var env = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__FromEnv__Url"] = $"http://127.0.0.1:{stray[2]}",
            ["ASPNETCORE_Kestrel__Endpoints__FromPrefixedEnv__Url"] = $"http://127.0.0.1:{stray[3]}",
            ["Logging__LogLevel__Default"] = "Trace",
            ["DOTNET_Logging__LogLevel__Default"] = "Trace",
        };

        await using var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0"], env,
            workingDirectory: dir);
        using var http = Http();
        await GetAsync(http, exporter.BaseAddress, TasksPath);

        Assert.That(ExporterHostAddresses(exporter.Stderr), Is.EqualTo(new[] { $"http://{exporter.BaseAddress.Authority}" }));
        foreach (var port in stray)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            Assert.That(() => probe.Connect(System.Net.IPAddress.Loopback, port), Throws.InstanceOf<System.Net.Sockets.SocketException>(),
                $"something listens on stray port {port}");
        }
        Assert.That(exporter.Stderr, Does.Not.Contain("level=debug").And.Not.Contain("level=trace"));
        // Without account sections, [common]'s listening line is the only one: no per-account lines.
        Assert.That(exporter.Stderr, Does.Not.Contain("msg=account "));
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // The listening line names every address Kestrel bound: address=http://127.0.0.1:PORT[,more].
    private static string[] ExporterHostAddresses(string stderr)
    {
        var line = stderr.Split('\n').First(l => l.Contains("msg=listening", StringComparison.Ordinal) || l.Contains("listening address=", StringComparison.Ordinal));
        var start = line.IndexOf("address=", StringComparison.Ordinal) + "address=".Length;
        var end = line.IndexOf(' ', start);
        return line[start..(end < 0 ? line.Length : end)].Split(',');
    }
}
