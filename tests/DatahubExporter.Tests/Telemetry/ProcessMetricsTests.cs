using System.Text;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;

namespace DatahubExporter.Tests.Telemetry;

internal class ProcessMetricsTests
{
    private static Dictionary<string, MetricFamily> CollectByName() =>
        ProcessMetrics.Collect().ToDictionary(f => f.Name);

    private static double Single(Dictionary<string, MetricFamily> families, string name) =>
        families[name].Samples.Single().Value;

    [TestCase("process_cpu_seconds_total", MetricType.Counter)]
    [TestCase("process_resident_memory_bytes", MetricType.Gauge)]
    [TestCase("process_virtual_memory_bytes", MetricType.Gauge)]
    [TestCase("process_start_time_seconds", MetricType.Gauge)]
    [TestCase("process_open_fds", MetricType.Gauge)]
    [TestCase("dotnet_gc_heap_size_bytes", MetricType.Gauge)]
    [TestCase("dotnet_gc_allocated_bytes_total", MetricType.Counter)]
    [TestCase("dotnet_gc_pause_seconds_total", MetricType.Counter)]
    [TestCase("dotnet_threadpool_threads", MetricType.Gauge)]
    [TestCase("dotnet_threadpool_queue_length", MetricType.Gauge)]
    [TestCase("dotnet_threadpool_completed_items_total", MetricType.Counter)]
    [TestCase("dotnet_exceptions_total", MetricType.Counter)]
    [TestCase("dotnet_lock_contentions_total", MetricType.Counter)]
    [TestCase("dotnet_jit_compiled_methods_total", MetricType.Counter)]
    public void Family_has_one_unlabelled_sample_of_its_type(string name, MetricType type)
    {
        var family = CollectByName()[name];

        Assert.That(family.Type, Is.EqualTo(type));
        Assert.That(family.Help, Is.Not.Empty);
        Assert.That(family.Samples, Has.Count.EqualTo(1));
        Assert.That(family.Samples[0].Name, Is.EqualTo(name));
        Assert.That(family.Samples[0].Labels, Is.Empty);
        Assert.That(family.Samples[0].Value, Is.GreaterThanOrEqualTo(0).And.Not.NaN);
    }

    [Test]
    public void Max_fds_is_reported_on_Linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("procfs only");
        }

        var families = CollectByName();

        Assert.That(Single(families, "process_max_fds"), Is.GreaterThanOrEqualTo(Single(families, "process_open_fds")));
        Assert.That(Single(families, "process_open_fds"), Is.GreaterThan(2)); // stdin, stdout, stderr at least
    }

    [Test]
    public void Values_are_plausible_for_a_running_test_process()
    {
        var families = CollectByName();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        Assert.That(Single(families, "process_start_time_seconds"), Is.InRange(now - 86_400.0 * 30, now + 5.0));
        Assert.That(Single(families, "process_resident_memory_bytes"), Is.InRange(1e6, 1e11));
        Assert.That(Single(families, "process_virtual_memory_bytes"), Is.GreaterThanOrEqualTo(Single(families, "process_resident_memory_bytes")));
        Assert.That(Single(families, "process_cpu_seconds_total"), Is.GreaterThan(0));
        Assert.That(Single(families, "dotnet_gc_allocated_bytes_total"), Is.GreaterThan(0));
        Assert.That(Single(families, "dotnet_threadpool_threads"), Is.GreaterThanOrEqualTo(1));
        Assert.That(Single(families, "dotnet_jit_compiled_methods_total"), Is.GreaterThan(0));
    }

    [Test]
    public void Start_time_agrees_with_the_runtime()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var expected = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;

        Assert.That(Single(CollectByName(), "process_start_time_seconds"), Is.EqualTo(expected).Within(2.0));
    }

    [Test]
    public void Start_time_is_stable_between_scrapes()
    {
        Assert.That(Single(CollectByName(), "process_start_time_seconds"), Is.EqualTo(Single(CollectByName(), "process_start_time_seconds")));
    }

    [Test]
    public void Gc_collections_are_labelled_by_every_generation_and_grow()
    {
        var before = CollectByName()["dotnet_gc_collections_total"];
        GC.Collect(0);
        var after = CollectByName()["dotnet_gc_collections_total"];

        Assert.That(after.Type, Is.EqualTo(MetricType.Counter));
        Assert.That(after.Samples.Select(s => s.Labels.Single()), Is.EqualTo(
            Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => new Label("generation", g.ToString()))));
        Assert.That(after.Samples[0].Value, Is.GreaterThan(before.Samples[0].Value));
    }

    [Test]
    public void Thrown_exceptions_are_counted()
    {
        var before = Single(CollectByName(), "dotnet_exceptions_total");
        try
        {
            throw new InvalidOperationException("counted");
        }
        catch (InvalidOperationException)
        {
            // the throw is the point
        }

        Assert.That(Single(CollectByName(), "dotnet_exceptions_total"), Is.GreaterThanOrEqualTo(before + 1));
    }

    [Test]
    public void Output_is_valid_for_the_exposition_writer()
    {
        using var stream = new MemoryStream();

        ExpositionWriter.Write(stream, ProcessMetrics.Collect(), ExpositionFormat.PrometheusText004);

        var text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.That(text, Does.Contain("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total "));
        Assert.That(text, Does.Contain("# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"));
        Assert.That(text, Does.Contain("dotnet_gc_collections_total{generation=\"0\"} "));
    }
}
