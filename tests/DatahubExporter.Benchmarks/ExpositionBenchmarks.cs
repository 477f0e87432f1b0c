using BenchmarkDotNet.Attributes;
using DatahubExporter.Exposition;

namespace DatahubExporter.Benchmarks;

/// <summary>Writing 10,000 series (5,000 tasks × status + info) into a reused buffer, as the HTTP layer does:
/// our writer in both formats against the naive StringBuilder writer. Allocated = bytes allocated per write;
/// Output = bytes produced.</summary>
[MemoryDiagnoser]
public class ExpositionBenchmarks
{
    public const int Series = 10_000;

    private readonly IReadOnlyList<MetricFamily> _families = SeriesFactory.TaskFamilies(Series);
    private readonly MemoryStream _buffer = new(4 * 1024 * 1024);

    [Benchmark(Baseline = true, Description = "naive StringBuilder, text 0.0.4")]
    public long NaiveText()
    {
        _buffer.SetLength(0);
        NaiveTextWriter.Write(_buffer, _families);
        return _buffer.Length;
    }

    [Benchmark(Description = "ExpositionWriter, text 0.0.4")]
    public long Text()
    {
        _buffer.SetLength(0);
        ExpositionWriter.Write(_buffer, _families, ExpositionFormat.PrometheusText004);
        return _buffer.Length;
    }

    [Benchmark(Description = "ExpositionWriter, OpenMetrics 1.0.0")]
    public long OpenMetrics()
    {
        _buffer.SetLength(0);
        ExpositionWriter.Write(_buffer, _families, ExpositionFormat.OpenMetrics100);
        return _buffer.Length;
    }

    /// <summary>Output sizes for <see cref="OutputSizeColumn"/>, by benchmark method name.</summary>
    public static long OutputBytes(string method)
    {
        var bench = new ExpositionBenchmarks();
        return method switch
        {
            nameof(NaiveText) => bench.NaiveText(),
            nameof(Text) => bench.Text(),
            nameof(OpenMetrics) => bench.OpenMetrics(),
            _ => -1,
        };
    }
}
