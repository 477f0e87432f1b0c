using DatahubExporter.Cli;
using DatahubExporter.Configuration;
using DatahubExporter.Telemetry;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.Tests.Cli;

public class CliFlagsTests
{
    [Test]
    public void No_flags_give_the_default_options()
    {
        var root = CliFlags.CreateCommand();

        Assert.That(CliFlags.ReadOptions(root.Parse([])), Is.EqualTo(ExporterOptions.Defaults));
    }

    [Test]
    public void Every_log_spelling_is_read()
    {
        var root = CliFlags.CreateCommand();

        Assert.That(CliFlags.ReadOptions(root.Parse(["--log.level=warn", "--log.format=json"])),
            Is.EqualTo(ExporterOptions.Defaults with { LogLevel = LogLevel.Warning, LogFormat = LogFormat.Json }));
    }
}
