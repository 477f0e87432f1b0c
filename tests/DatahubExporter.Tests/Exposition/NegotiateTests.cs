using DatahubExporter.Exposition;

namespace DatahubExporter.Tests.Exposition;

internal class NegotiateTests
{
    private const ExpositionFormat Text = ExpositionFormat.PrometheusText004;
    private const ExpositionFormat Om = ExpositionFormat.OpenMetrics100;

    [TestCase(null, Text, TestName = "No_header_gets_text")]
    [TestCase("", Text, TestName = "Empty_header_gets_text")]
    [TestCase("*/*", Text, TestName = "Wildcard_alone_gets_text")]
    [TestCase("text/plain", Text, TestName = "Text_plain_gets_text")]
    [TestCase("application/openmetrics-text", Om, TestName = "OpenMetrics_alone_gets_OpenMetrics")]
    [TestCase("application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
        Om, TestName = "Prometheus_2_header_gets_OpenMetrics")]
    [TestCase("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
        Om, TestName = "Prometheus_3_header_gets_OpenMetrics")]
    [TestCase("text/plain;version=0.0.4;q=1,*/*;q=0.1", Text, TestName = "Prometheus_text_only_scrape_gets_text")]
    [TestCase("text/plain;q=0.5, application/openmetrics-text;q=0.5", Om, TestName = "Equal_q_prefers_OpenMetrics")]
    [TestCase("text/plain;q=0.6, application/openmetrics-text;q=0.5", Text, TestName = "Higher_text_q_gets_text")]
    [TestCase("application/openmetrics-text;q=0.1, */*;q=0.2", Text, TestName = "Wildcard_above_OpenMetrics_gets_text")]
    [TestCase("application/openmetrics-text;q=0.5, text/*;q=0.6, */*;q=0.1", Text, TestName = "Text_wildcard_counts_for_text_plain")]
    [TestCase("application/openmetrics-text;q=0.5, text/plain;q=0, */*;q=1", Om, TestName = "Most_specific_range_decides_the_text_q")]
    [TestCase("application/openmetrics-text;q=0", Text, TestName = "Q_zero_means_not_acceptable")]
    [TestCase("APPLICATION/OpenMetrics-Text; Q=0.9, TEXT/PLAIN; q=0.8", Om, TestName = "Media_types_are_case_insensitive")]
    [TestCase("application/openmetrics-text;version=2.0.0", Text, TestName = "Unknown_OpenMetrics_version_gets_text")]
    [TestCase("application/openmetrics-text;q=abc", Text, TestName = "Garbage_q_gets_text")]
    [TestCase("application/openmetrics-text;q=1.5", Text, TestName = "Q_above_one_gets_text")]
    [TestCase("application/openmetrics-text;q=-0.5", Text, TestName = "Negative_q_gets_text")]
    [TestCase("application/openmetrics-text;q=0.1234", Text, TestName = "Q_with_four_decimals_gets_text")]
    [TestCase("application/openmetrics-text, garbage", Text, TestName = "Garbage_element_gets_text")]
    [TestCase("application/openmetrics-text;;", Text, TestName = "Empty_parameter_gets_text")]
    [TestCase("application/openmetrics-text, , text/plain;q=0.9", Om, TestName = "Empty_list_elements_are_ignored")]
    [TestCase(",,,", Text, TestName = "Only_commas_gets_text")]
    public void Accept_header_picks_the_format(string? accept, ExpositionFormat expected)
    {
        Assert.That(ExpositionWriter.Negotiate(accept), Is.EqualTo(expected));
    }
}
