using System.Buffers;
using System.Text;
using DatahubExporter.Exposition;

namespace DatahubExporter.Tests.Exposition;

internal class ExpositionWriterTests
{
    private static readonly string LongValue = new string('a', 4095) + "\U0001F600" + new string('b', 10);

    private static string TestData(string name) =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "testdata", "exposition", name);

    /// <summary>Every escaping and number case at once; the golden files spell out the expected bytes.</summary>
    private static List<MetricFamily> HostileFamilies()
    {
        static Sample Task(string id, string name, double value) =>
            new("datahub_task_status", [new("region", "ap-guangzhou"), new("TaskId", id), new("TaskName", name)], value);

        static Sample Api(string name, string le, double value) =>
            new(name, le.Length == 0 ? [new("action", "DescribeDatahubTasks")] : [new("action", "DescribeDatahubTasks"), new("le", le)], value);

        const string histogram = "datahub_exporter_api_request_duration_seconds";
        return
        [
            new("datahub_task_status", "Status code of a Datahub task (1 running, 6 paused).\nA \"quoted\" second line with a back\\slash.", MetricType.Gauge,
            [
                Task("task-plain", "plain", 1),
                Task("task-quote", "say \"hi\"", 0),
                Task("task-backslash", "C:\\path\\", -1),
                Task("task-newline", "line1\nline2", 6),
                Task("task-cjk", "数据同步任务", 7),
                Task("task-emoji", "🚀 launch", double.NaN),
                Task("task-surrogate", "\uD800x", double.PositiveInfinity),
                Task("task-empty", "", double.NegativeInfinity),
                Task("task-long", LongValue, 0.25),
                Task("task-mixed", "\\\"\n", 1234567),
            ]),
            new("datahub_exporter_api_requests_total", "Tencent Cloud API requests by action, region and result code.", MetricType.Counter,
            [
                new("datahub_exporter_api_requests_total", [new("action", "DescribeDatahubTasks"), new("region", "ap-guangzhou"), new("code", "Success")], 1.5e-7),
                new("datahub_exporter_api_requests_total", [new("action", "DescribeDatahubTasks"), new("region", "ap-guangzhou"), new("code", "AuthFailure.SignatureFailure")], 1725312345),
            ]),
            new("empty_family", "Never written: it has no samples.", MetricType.Gauge, []),
            new(histogram, "Duration of Tencent Cloud API requests.", MetricType.Histogram,
            [
                Api(histogram + "_bucket", "0.1", 1),
                Api(histogram + "_bucket", "1", 4),
                Api(histogram + "_bucket", "+Inf", 5),
                Api(histogram + "_sum", "", 2.75),
                Api(histogram + "_count", "", 5),
            ]),
            new("legacy_value", "", MetricType.Untyped, [new("legacy_value", [], 1725312345.5)]),
            new("process_cpu_seconds", "Total user and system CPU time spent in seconds.", MetricType.Counter,
            [
                new("process_cpu_seconds_total", [], 12.5),
            ]),
        ];
    }

    private static byte[] WriteToStream(IEnumerable<MetricFamily> families, ExpositionFormat format)
    {
        using var stream = new MemoryStream();
        ExpositionWriter.Write(stream, families, format);
        return stream.ToArray();
    }

    private static byte[] WriteToBufferWriter(IEnumerable<MetricFamily> families, ExpositionFormat format)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ExpositionWriter.Write(buffer, families, format);
        return buffer.WrittenSpan.ToArray();
    }

    [Test]
    public void Text_output_matches_the_golden_file_byte_for_byte()
    {
        var expected = File.ReadAllBytes(TestData("hostile.prom"));

        var actual = WriteToStream(HostileFamilies(), ExpositionFormat.PrometheusText004);

        Assert.That(Encoding.UTF8.GetString(actual), Is.EqualTo(Encoding.UTF8.GetString(expected)));
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void OpenMetrics_output_matches_the_golden_file_byte_for_byte()
    {
        var expected = File.ReadAllBytes(TestData("hostile.om.txt"));

        var actual = WriteToStream(HostileFamilies(), ExpositionFormat.OpenMetrics100);

        Assert.That(Encoding.UTF8.GetString(actual), Is.EqualTo(Encoding.UTF8.GetString(expected)));
        Assert.That(actual, Is.EqualTo(expected));
    }

    [TestCase(ExpositionFormat.PrometheusText004)]
    [TestCase(ExpositionFormat.OpenMetrics100)]
    public void Buffer_writer_overload_writes_the_same_bytes_as_the_stream_overload(ExpositionFormat format)
    {
        Assert.That(WriteToBufferWriter(HostileFamilies(), format), Is.EqualTo(WriteToStream(HostileFamilies(), format)));
    }

    [Test]
    public void Output_spanning_many_stream_chunks_is_complete_and_in_order()
    {
        // 20 000 series is several 64 KiB chunks; each line is checked, so a lost or reordered chunk shows.
        var samples = Enumerable.Range(0, 20_000)
            .Select(i => new Sample("datahub_task_status", [new("TaskId", $"task-{i}"), new("TaskName", $"名前 {i} \"q\"")], i))
            .ToList();
        var families = new[] { new MetricFamily("datahub_task_status", "Status.", MetricType.Gauge, samples) };

        var bytes = WriteToStream(families, ExpositionFormat.PrometheusText004);

        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        Assert.That(lines, Has.Length.EqualTo(20_003)); // HELP, TYPE, samples, and "" after the final newline
        Assert.That(lines[2], Is.EqualTo("datahub_task_status{TaskId=\"task-0\",TaskName=\"名前 0 \\\"q\\\"\"} 0"));
        Assert.That(lines[20_001], Is.EqualTo("datahub_task_status{TaskId=\"task-19999\",TaskName=\"名前 19999 \\\"q\\\"\"} 19999"));
        Assert.That(lines[^1], Is.Empty);
        Assert.That(bytes, Is.EqualTo(WriteToBufferWriter(families, ExpositionFormat.PrometheusText004)));
    }

    [Test]
    public void Output_has_no_byte_order_mark_and_no_carriage_return()
    {
        var bytes = WriteToStream(HostileFamilies(), ExpositionFormat.PrometheusText004);

        Assert.That(bytes.AsSpan(0, 3).SequenceEqual("\uFEFF"u8), Is.False);
        Assert.That(bytes, Does.Not.Contain((byte)'\r'));
    }

    [Test]
    public void Empty_input_gives_empty_text_and_a_lone_eof_in_OpenMetrics()
    {
        Assert.That(WriteToStream([], ExpositionFormat.PrometheusText004), Is.Empty);
        Assert.That(Encoding.UTF8.GetString(WriteToStream([], ExpositionFormat.OpenMetrics100)), Is.EqualTo("# EOF\n"));
    }

    [Test]
    public void Counter_family_without_total_gets_it_on_OpenMetrics_samples_only()
    {
        var families = new[] { new MetricFamily("retries", "Retries.", MetricType.Counter, [new Sample("retries", [], 3)]) };

        Assert.That(Encoding.UTF8.GetString(WriteToStream(families, ExpositionFormat.PrometheusText004)),
            Is.EqualTo("# HELP retries Retries.\n# TYPE retries counter\nretries 3\n"));
        Assert.That(Encoding.UTF8.GetString(WriteToStream(families, ExpositionFormat.OpenMetrics100)),
            Is.EqualTo("# HELP retries Retries.\n# TYPE retries counter\nretries_total 3\n# EOF\n"));
    }

    [TestCase("", TestName = "Empty_metric_name_throws")]
    [TestCase("1abc", TestName = "Metric_name_starting_with_a_digit_throws")]
    [TestCase("with-dash", TestName = "Metric_name_with_a_dash_throws")]
    [TestCase("naïve", TestName = "Metric_name_with_non_ascii_throws")]
    public void Invalid_metric_name_throws(string name)
    {
        var families = new[] { new MetricFamily(name, "h", MetricType.Gauge, [new Sample(name, [], 1)]) };

        Assert.That(() => WriteToStream(families, ExpositionFormat.PrometheusText004), Throws.ArgumentException);
    }

    [TestCase("", TestName = "Empty_label_name_throws")]
    [TestCase("9lives", TestName = "Label_name_starting_with_a_digit_throws")]
    [TestCase("a:b", TestName = "Label_name_with_a_colon_throws")]
    [TestCase("Task Id", TestName = "Label_name_with_a_space_throws")]
    public void Invalid_label_name_throws(string label)
    {
        var families = new[] { new MetricFamily("ok_name", "h", MetricType.Gauge, [new Sample("ok_name", [new(label, "v")], 1)]) };

        Assert.That(() => WriteToStream(families, ExpositionFormat.OpenMetrics100), Throws.ArgumentException);
    }

    [Test]
    public void Colon_is_valid_in_metric_names_and_label_names_may_be_camel_case()
    {
        var families = new[] { new MetricFamily("job:rate:5m", "h", MetricType.Gauge, [new Sample("job:rate:5m", [new("TaskId", "t"), new("_x", "y")], 1)]) };

        Assert.That(Encoding.UTF8.GetString(WriteToStream(families, ExpositionFormat.PrometheusText004)),
            Does.EndWith("job:rate:5m{TaskId=\"t\",_x=\"y\"} 1\n"));
    }

    [Test]
    public void Invalid_name_late_in_the_input_throws_before_anything_is_written()
    {
        var families = HostileFamilies();
        families.Add(new MetricFamily("bad name", "h", MetricType.Gauge, [new Sample("bad name", [], 1)]));
        using var stream = new MemoryStream();

        Assert.That(() => ExpositionWriter.Write(stream, families, ExpositionFormat.PrometheusText004), Throws.ArgumentException);
        Assert.That(stream.Length, Is.Zero);
    }

    [Test]
    public void Duplicate_family_throws()
    {
        var family = new MetricFamily("up", "h", MetricType.Gauge, [new Sample("up", [], 1)]);

        Assert.That(() => WriteToStream([family, family], ExpositionFormat.PrometheusText004), Throws.ArgumentException);
    }

    [Test]
    public void Repeated_label_name_throws()
    {
        var family = new MetricFamily("up", "h", MetricType.Gauge, [new Sample("up", [new("a", "1"), new("a", "2")], 1)]);

        Assert.That(() => WriteToStream([family], ExpositionFormat.PrometheusText004), Throws.ArgumentException);
    }

    [TestCase(MetricType.Gauge, "up_total", TestName = "Gauge_sample_with_another_name_throws")]
    [TestCase(MetricType.Counter, "requests_count", TestName = "Counter_sample_with_a_foreign_suffix_throws")]
    [TestCase(MetricType.Histogram, "latency", TestName = "Histogram_sample_without_a_suffix_throws")]
    [TestCase(MetricType.Histogram, "latency_total", TestName = "Histogram_sample_with_a_counter_suffix_throws")]
    public void Sample_not_belonging_to_its_family_throws(MetricType type, string sampleName)
    {
        var familyName = type == MetricType.Gauge ? "up" : type == MetricType.Counter ? "requests" : "latency";
        var family = new MetricFamily(familyName, "h", type, [new Sample(sampleName, [], 1)]);

        Assert.That(() => WriteToStream([family], ExpositionFormat.PrometheusText004), Throws.ArgumentException);
    }

    [Test]
    public void Counter_samples_with_mixed_names_throw()
    {
        var family = new MetricFamily("requests", "h", MetricType.Counter, [new Sample("requests", [new("a", "1")], 1), new Sample("requests_total", [new("a", "2")], 1)]);

        Assert.That(() => WriteToStream([family], ExpositionFormat.PrometheusText004), Throws.ArgumentException);
    }

    [Test]
    public void Lone_surrogates_anywhere_become_replacement_characters()
    {
        var family = new MetricFamily("up", "help \uDC00 end", MetricType.Gauge, [new Sample("up", [new("a", "\uDBFF"), new("b", "x\uDC00\uD800")], 1)]);

        var text = Encoding.UTF8.GetString(WriteToStream([family], ExpositionFormat.PrometheusText004));

        Assert.That(text, Is.EqualTo("# HELP up help \uFFFD end\n# TYPE up gauge\nup{a=\"\uFFFD\",b=\"x\uFFFD\uFFFD\"} 1\n"));
    }

    [Test]
    public void Text_HELP_keeps_quotes_but_OpenMetrics_HELP_escapes_them()
    {
        var family = new MetricFamily("up", "a \"b\" \\ c\nd", MetricType.Gauge, [new Sample("up", [], 1)]);

        Assert.That(Encoding.UTF8.GetString(WriteToStream([family], ExpositionFormat.PrometheusText004)),
            Does.StartWith("# HELP up a \"b\" \\\\ c\\nd\n"));
        Assert.That(Encoding.UTF8.GetString(WriteToStream([family], ExpositionFormat.OpenMetrics100)),
            Does.StartWith("# HELP up a \\\"b\\\" \\\\ c\\nd\n"));
    }
}
