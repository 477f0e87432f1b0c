using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace DatahubExporter.Benchmarks;

/// <summary>
/// Runs the benchmarks with a short in-process job (3 warm-ups, 3 measured iterations), so the whole suite
/// takes a few minutes: numbers for ratios and allocations, not for publication-grade confidence intervals.
/// Every class has a baseline, so the summary's Ratio column compares like with like.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new OutputSizeColumn());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
