using static DatahubExporter.Tests.EndToEnd.EndToEndFixture;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>What the running binary holds besides the scrape: nothing it does not need.</summary>
[TestFixture]
[NonParallelizable]
public class StartupTests
{
    [Test]
    public async Task The_server_watches_no_files_and_serves_no_simulator_admin_api_without_demo()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("reads /proc");
        }

        var dir = NewTempDir();
        try
        {
            await using var simulator = await CkafkaSimulator.SimulatorServer.StartAsync(SimulatorOptions(tasks: 10, resources: 5));
            var conf = WriteConfig(dir, simulator.BaseAddress);
            await using var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0"]);
            using var http = EndToEndFixture.Http();
            await GetAsync(http, exporter.BaseAddress, "/api/v1/ckafka/datahub_tasks/metrics");

            // The host's default appsettings.json watcher is a recursive inotify watch of the working directory
            // (one watch per directory below it; thousands when started from /). Nothing else watches files.
            var descriptors = Directory.GetFiles($"/proc/{exporter.Pid}/fd").Select(fd => new FileInfo(fd).LinkTarget ?? "").ToList();
            Assert.That(descriptors, Has.None.Contains("inotify"));

            using var admin = await http.GetAsync(new Uri(exporter.BaseAddress, "/_sim/state"));
            Assert.That((int)admin.StatusCode, Is.EqualTo(404));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
