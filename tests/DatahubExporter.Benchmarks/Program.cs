using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace DatahubExporter.Benchmarks;

/// <summary>
/// Runs the benchmarks with a short in-process job (one launch, 3 warm-ups, 10 measured iterations), so the
/// whole suite takes a few minutes: numbers for ratios and allocations, not publication-grade confidence
/// intervals. In-process keeps the run short (no generated project to build) at the price of sharing the GC
/// with BenchmarkDotNet itself.
/// Every class has a baseline, so the summary's Ratio column compares like with like.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance).WithId("Short-InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new OutputSizeColumn());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
