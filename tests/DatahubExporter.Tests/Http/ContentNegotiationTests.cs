using DatahubExporter.Http;
using DatahubExporter.WebConfig;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Http;

/// <summary>The negotiated Content-Type reaches the wire with the body it names, on a scrape path and on
/// <c>/metrics</c>. The Accept headers are Prometheus 2.42's (captured) and Prometheus 3's (built by hand: none runs here).</summary>
public sealed class ContentNegotiationTests
{
    private const string Prometheus2_42 =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private const string Prometheus3Utf8 =
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,"
        + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    private const string Prometheus3TextFirst =
        "text/plain;version=1.0.0;escaping=underscores;q=0.6,application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,"
        + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

    private InProcessExporter _host = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await InProcessExporter.StartAsync(WebConfigWatcher.Load(null, NullLogger.Instance, TimeProvider.System));
        _client = new HttpClient { BaseAddress = _host.Address, Timeout = TimeSpan.FromSeconds(10) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var path in ExporterServices.AllPaths.Select(p => p.HttpPath).Take(1).Append(Endpoints.MetricsPath))
        {
            yield return new TestCaseData(path, Prometheus2_42, "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores")
                .SetName($"Prometheus_2_42_gets_OpenMetrics_on{path.Replace('/', '_')}");
            yield return new TestCaseData(path, Prometheus3Utf8, "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8")
                .SetName($"Prometheus_3_gets_OpenMetrics_allowing_utf8_on{path.Replace('/', '_')}");
            yield return new TestCaseData(path, Prometheus3TextFirst, "text/plain; version=1.0.0; charset=utf-8; escaping=underscores")
                .SetName($"Prometheus_3_text_first_gets_text_1_on{path.Replace('/', '_')}");
            yield return new TestCaseData(path, "*/*", "text/plain; version=0.0.4; charset=utf-8").SetName($"Curl_gets_text_0_0_4_on{path.Replace('/', '_')}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Content_type_names_the_negotiated_format(string path, string accept, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        Assert.That(string.Join(", ", response.Content.Headers.GetValues("Content-Type")), Is.EqualTo(contentType));
        Assert.That(body.EndsWith("# EOF\n", StringComparison.Ordinal), Is.EqualTo(contentType.StartsWith("application/openmetrics-text", StringComparison.Ordinal)));
        Assert.That(ExpositionParser.Parse(body), Is.Not.Empty);
    }
}
