using CkafkaSimulator;

namespace DatahubExporter.Tests.Simulator;

public class SimulatorDataSetTests
{
    [Test]
    public void Demo_changes_only_the_names_of_the_generated_items()
    {
        var generated = SimulatorDataSet.Generate(250, 120, lagSinks: true);
        var demo = SimulatorDataSet.Demo();

        Assert.That(demo.Tasks.Select(t => t with { TaskName = null }), Is.EqualTo(generated.Tasks.Select(t => t with { TaskName = null })));
        Assert.That(demo.Resources.Select(r => (r.ResourceId, r.Type, r.Status, r.ErrorMessage)),
            Is.EqualTo(generated.Resources.Select(r => (r.ResourceId, r.Type, r.Status, r.ErrorMessage))));
        Assert.That(demo.Tasks.Select(t => t.Status).Distinct(), Is.EquivalentTo(SimulatorDataSet.TaskStatuses), "every status still shows");
    }

    [Test]
    public void Demo_names_are_plain_and_distinct()
    {
        var demo = SimulatorDataSet.Demo();
        var names = demo.Tasks.Select(t => t.TaskName).Concat(demo.Resources.Select(r => r.ResourceName)).ToList();

        Assert.That(demo.Tasks[0].TaskName, Is.EqualTo("orders-mysql-to-ckafka"));
        Assert.That(names, Has.All.Match("^[a-z][a-z0-9-]{2,47}$"));
        Assert.That(demo.Tasks.Select(t => t.TaskName), Is.Unique);
        Assert.That(demo.Resources.Select(r => r.ResourceName), Is.Unique);
    }
}
