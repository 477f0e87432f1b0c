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

    [Test]
    public void Building_the_command_again_adds_no_rule_to_the_shared_options()
    {
        // Every in-process run builds a command over the same option objects. Setting the allowed values per build
        // cleared and refilled their completion sources while other runs enumerated them in parallel ("Collection was
        // modified" in --help): building again must leave the options as they are.
        static object[] Completions() =>
            [.. CliFlags.CreateCommand().Options.Where(o => o.Name is "--log.level" or "--log.format").SelectMany(o => o.CompletionSources)];

        var first = Completions();
        Assert.That(first, Has.Length.GreaterThanOrEqualTo(2), "each of the two options offers its values");
        var again = Completions();
        Assert.That(again.Length == first.Length && again.Zip(first).All(p => ReferenceEquals(p.First, p.Second)), Is.True, "the same sources, not new ones");
    }
}
