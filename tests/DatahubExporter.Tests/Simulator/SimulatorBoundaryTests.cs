using System.Reflection;
using CkafkaSimulator;
using NUnit.Framework;

namespace DatahubExporter.Tests.Simulator;

/// <summary>The exporter ships the API look-alike for --demo, never the fault injection or the admin API.</summary>
public class SimulatorBoundaryTests
{
    [Test]
    public void The_exporter_references_the_look_alike_and_not_the_full_simulator()
    {
        var references = typeof(DatahubExporter.ExporterServices).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.That(references, Does.Contain(typeof(CkafkaApiServer).Assembly.GetName().Name));
        Assert.That(references, Does.Not.Contain(typeof(SimulatorServer).Assembly.GetName().Name));
    }

    [Test]
    public void The_look_alike_holds_no_fault_or_admin_type()
    {
        var names = typeof(CkafkaApiServer).Assembly.GetTypes().Select(t => t.Name).ToList();

        Assert.That(names, Does.Not.Contain(nameof(Fault)).And.Not.Contain(nameof(SimulatorServer)).And.Not.Contain("AdminApi").And.Not.Contain("FaultStore"));
    }

    [Test]
    public async Task Faults_need_the_full_simulator()
    {
        await using var lookAlike = await CkafkaApiServer.StartAsync(new SimulatorOptions());

        var e = Assert.Throws<InvalidOperationException>(() => lookAlike.State.SetFault(Fault.Hang()));
        Assert.That(e!.Message, Does.Contain("SimulatorServer"));
    }

    [Test]
    public async Task The_look_alike_has_no_admin_api()
    {
        await using var lookAlike = await CkafkaApiServer.StartAsync(new SimulatorOptions());
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(lookAlike.BaseAddress, "_sim/state"));
        Assert.That((int)response.StatusCode, Is.EqualTo(404));
    }
}
