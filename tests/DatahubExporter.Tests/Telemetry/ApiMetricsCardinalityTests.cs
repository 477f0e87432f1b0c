using DatahubExporter.Telemetry;

namespace DatahubExporter.Tests.Telemetry;

public class ApiMetricsCardinalityTests
{
    [Test]
    public void Invented_error_codes_past_the_cap_are_counted_as_Other()
    {
        var metrics = new ApiMetrics(TimeProvider.System);
        for (var i = 0; i < ApiMetrics.MaxDistinctCodes + 50; i++)
        {
            metrics.RequestCompleted("DescribeDatahubTasks", "ap-guangzhou", $"Invented.Code{i}", 0.01);
            metrics.Retrying("DescribeDatahubTasks", "ap-guangzhou", $"Invented.Code{i}");
        }

        metrics.RequestCompleted("DescribeDatahubTasks", "ap-guangzhou", "Invented.Code0", 0.01);
        var requests = metrics.Collect().Single(f => f.Name == "datahub_exporter_api_requests_total").Samples;
        var codes = requests.Select(s => s.Labels.Single(l => l.Name == "code").Value).ToList();

        Assert.That(codes, Has.Count.EqualTo(ApiMetrics.MaxDistinctCodes + 1));
        Assert.That(requests.Single(s => s.Labels.Any(l => l.Value == "Other")).Value, Is.EqualTo(50));
        Assert.That(requests.Single(s => s.Labels.Any(l => l.Value == "Invented.Code0")).Value, Is.EqualTo(2), "known codes keep their series");
    }
}
