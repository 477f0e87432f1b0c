namespace DatahubExporter.Tests.Support;

/// <summary>What <c>--once</c> prints against the simulator's default data set (250 tasks and 120 resources per
/// region), checked the same way in-process (<c>Cli/ProgramTests</c>) and on the real binary (<c>EndToEnd/CliTests</c>).</summary>
public static class OnceOutput
{
    /// <summary>One exposition, not several pasted together, holding every path of both regions, each collected.</summary>
    public static void AssertEveryPathOfTwoRegions(string stdout)
    {
        // Every family is introduced exactly once.
        var typeLines = stdout.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).ToList();
        Assert.That(typeLines, Is.Unique);
        Assert.That(typeLines, Does.Contain("# TYPE datahub_exporter_collect_success gauge"));
        var samples = ExpositionParser.Parse(stdout);
        Assert.That(samples.Count(s => s.Name == "datahub_task_status"), Is.EqualTo(2 * 250));
        Assert.That(samples.Count(s => s.Name == "connect_resource_status"), Is.EqualTo(2 * 120));
        Assert.That(samples.Count(s => s.Name == "datahub_task_consumer_lag"), Is.GreaterThan(0), "the lag path is one of them");
        Assert.That(samples.Where(s => s.Name == "datahub_exporter_collect_success").Select(s => s.Value).ToList(),
            Has.Count.EqualTo(2 * ExporterServices.AllPaths.Count).And.All.EqualTo(1));
    }
}
