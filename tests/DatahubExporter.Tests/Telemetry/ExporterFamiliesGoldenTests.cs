using System.Text;
using System.Text.RegularExpressions;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.WebConfig;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Telemetry;

/// <summary>
/// The whole of <c>/metrics</c> as a golden file: every family's name, HELP, TYPE, label names and order, after one
/// collection (ap-guangzhou answers, ap-shanghai refuses the signature) and one basic-auth refusal. Values that
/// vary between runs (build, timestamps, durations) are written as <c>X</c>; the platform's process and runtime families
/// are only checked to come last.
/// Set UPDATE_GOLDEN=1 to rewrite the file after a deliberate change.
/// </summary>
public sealed partial class ExporterFamiliesGoldenTests
{
    [Test]
    public async Task Metrics_output_is_exactly_the_golden_file()
    {
        using var temp = new TempDirectory();
        var web = temp.PathOf("web.yml");
        File.WriteAllText(web, $"basic_auth_users:\n  alice: {Bcrypt.Hash("pw", 4)}\n");
        var watcher = new WebConfigWatcher(WebConfigFile.Load(web), NullLogger.Instance, TimeProvider.System);
        var handler = new FakeHandler((_, r) => r.Header("X-TC-Region") == "ap-guangzhou"
            ? FakeHandler.Json(Collectors.TaskLagAnswers.Answer(r))
            : FakeHandler.ApiError("AuthFailure.SignatureFailure", "signature mismatch"));
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDgolden000002", "golden-key-2", null),
            Regions = ["ap-guangzhou", "ap-shanghai"],
            Endpoint = new Uri("https://ckafka.example/"),
            SourcePath = "golden.conf",
        }, TimeProvider.System);
        using var services = new ExporterServices(new ExporterOptions { ApiMaxAttempts = 1, ApiRateLimit = 20 }, config, NullLoggerFactory.Instance,
            TimeProvider.System, new HttpClient(handler), watcher);
        await services.Engine.ScrapeAsync(DatahubTaskLagPath.Path, TimeSpan.FromSeconds(10), CancellationToken.None);
        watcher.AuthFailures.Count(BasicAuthFailures.WrongPassword);
        services.ApiMetrics.RequestCompleted("DescribeDatahubTasks", "ap-beijing", "Success", 0.2, "prod");
        services.ApiMetrics.Retrying("DescribeDatahubTasks", "ap-beijing", "InternalError", "prod");
        services.ApiMetrics.LimiterWaited("DescribeDatahubTasks", "ap-beijing", 0.5, "prod");

        // The process and runtime families depend on the platform (ProcessMetricsTests pins them); here only that they come last.
        var families = services.ExporterFamilies();
        static bool IsProcess(MetricFamily f) => f.Name.StartsWith("process_", StringComparison.Ordinal) || f.Name.StartsWith("dotnet_", StringComparison.Ordinal);
        Assert.That(families.SkipWhile(f => !IsProcess(f)).Select(f => f.Name), Is.Not.Empty.And.All.Match("^(process|dotnet)_"));

        using var buffer = new MemoryStream();
        ExpositionWriter.Write(buffer, families.Where(f => !IsProcess(f)), ExpositionFormat.PrometheusText004);
        var text = Varying().Replace(Encoding.UTF8.GetString(buffer.ToArray()), "${series} X");
        text = BuildLabels().Replace(text, m => LabelValue().Replace(m.Value, "=\"X\""));

        Collectors.CollectorGoldenTests.AssertGolden(text, "exporter_metrics.prom", "telemetry");
    }

    [GeneratedRegex(@"^(?<series>(?:datahub_exporter_api_request_duration_seconds_sum|datahub_exporter_api_request_duration_seconds_bucket|datahub_exporter_config_last_reload_success_timestamp_seconds)\S*) \S+$",
        RegexOptions.Multiline)]
    private static partial Regex Varying();

    [GeneratedRegex(@"^datahub_exporter_build_info\{.*\}", RegexOptions.Multiline)]
    private static partial Regex BuildLabels();

    [GeneratedRegex("=\"[^\"]*\"")]
    private static partial Regex LabelValue();
}
