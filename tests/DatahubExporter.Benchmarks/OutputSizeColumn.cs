using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DatahubExporter.Benchmarks;

/// <summary>The "Output" column: bytes of exposition one operation produces (for the writer benchmarks), so the
/// allocation column can be read against what was written.</summary>
public sealed class OutputSizeColumn : IColumn
{
    public string Id => nameof(OutputSizeColumn);
    public string ColumnName => "Output";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Size;
    public string Legend => "Bytes of exposition written by one operation (writer benchmarks only)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(ExpositionBenchmarks))
        {
            return "-";
        }

        var bytes = ExpositionBenchmarks.OutputBytes(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return bytes < 0 ? "-" : $"{bytes / 1024.0:F1} KB";
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
