using DatahubExporter.Exposition;

namespace DatahubExporter.Tests.Exposition;

/// <summary>The Accept headers real scrapers send, each with the Content-Type it must get. The Prometheus 2.42 headers
/// were captured from the 2.42.0 binary the Prometheus tests use; no Prometheus 3 runs here, so its headers are built
/// by hand the way its scrape code builds them (<c>acceptHeader</c>: each scrape_protocols entry with
/// <c>q=0.6</c>, <c>0.5</c>, …, <c>escaping=</c> on the 1.0.0 formats only, then <c>*/*</c>).</summary>
internal class NegotiateTests
{
    private const string Text004 = "text/plain; version=0.0.4; charset=utf-8";
    private const string Text100 = "text/plain; version=1.0.0; charset=utf-8; escaping=";
    private const string Om100 = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=";
    private const string Om001 = "application/openmetrics-text; version=0.0.1; charset=utf-8";

    private const string Prometheus2_42 =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private const string Prometheus2_42NativeHistograms =
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,"
        + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private const string Prometheus2_55 =
        "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

    // Prometheus 3: the default scrape_protocols (OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText1.0.0,
    // PrometheusText0.0.4) with the escaping scheme of metric_name_escaping_scheme / metric_name_validation_scheme.
    private const string Prometheus3Default =
        "application/openmetrics-text;version=1.0.0;escaping={0};q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,"
        + "text/plain;version=1.0.0;escaping={0};q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    private const string Prometheus3ProtoFirst =
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
        + "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,"
        + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
    private const string Prometheus3TextFirst =
        "text/plain;version=1.0.0;escaping={0};q=0.6,application/openmetrics-text;version=1.0.0;escaping={0};q=0.5,"
        + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

    [TestCase(Prometheus2_42, Om100 + "underscores", TestName = "Prometheus_2_42_gets_OpenMetrics")]
    [TestCase(Prometheus2_42NativeHistograms, Om100 + "underscores", TestName = "Prometheus_2_42_with_native_histograms_gets_OpenMetrics")]
    [TestCase(Prometheus2_55, Om100 + "underscores", TestName = "Prometheus_2_55_gets_OpenMetrics")]
    [TestCase("text/plain;version=0.0.4;q=1,*/*;q=0.1", Text004, TestName = "Prometheus_text_only_scrape_gets_text")]
    public void Prometheus_2_headers(string accept, string contentType) => AssertNegotiates(accept, contentType);

    [TestCase(Prometheus3Default, "allow-utf-8", Om100 + "allow-utf-8", TestName = "Prometheus_3_default_utf8_gets_OpenMetrics_allowing_utf8")]
    [TestCase(Prometheus3Default, "underscores", Om100 + "underscores", TestName = "Prometheus_3_default_legacy_gets_OpenMetrics_with_underscores")]
    [TestCase(Prometheus3Default, "dots", Om100 + "dots", TestName = "Prometheus_3_default_dots_gets_OpenMetrics_with_dots")]
    [TestCase(Prometheus3Default, "values", Om100 + "values", TestName = "Prometheus_3_default_values_gets_OpenMetrics_with_values")]
    [TestCase(Prometheus3ProtoFirst, "", Om100 + "allow-utf-8", TestName = "Prometheus_3_protobuf_first_gets_OpenMetrics")]
    [TestCase(Prometheus3TextFirst, "allow-utf-8", Text100 + "allow-utf-8", TestName = "Prometheus_3_text_1_first_gets_text_1_allowing_utf8")]
    [TestCase(Prometheus3TextFirst, "underscores", Text100 + "underscores", TestName = "Prometheus_3_text_1_first_gets_text_1_with_underscores")]
    [TestCase("text/plain;version=1.0.0;escaping={0};q=0.6,*/*;q=0.5", "allow-utf-8", Text100 + "allow-utf-8", TestName = "Prometheus_3_text_1_only_gets_text_1")]
    [TestCase("text/plain;version=0.0.4;q=0.6,*/*;q=0.5", "", Text004, TestName = "Prometheus_3_text_0_0_4_only_gets_text_0_0_4")]
    [TestCase("application/openmetrics-text;version=0.0.1;q=0.6,*/*;q=0.5", "", Om001, TestName = "Prometheus_3_OpenMetrics_0_0_1_only_gets_0_0_1")]
    [TestCase("application/openmetrics-text;version=1.0.0;escaping={0};q=0.6,*/*;q=0.5", "underscores", Om100 + "underscores",
        TestName = "Prometheus_3_OpenMetrics_1_only_gets_OpenMetrics_1")]
    public void Prometheus_3_headers(string template, string escaping, string contentType) =>
        AssertNegotiates(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, escaping), contentType);

    [TestCase(null, Text004, TestName = "No_header_gets_text")]
    [TestCase("", Text004, TestName = "Empty_header_gets_text")]
    [TestCase("*/*", Text004, TestName = "Wildcard_alone_gets_text")]
    [TestCase("text/plain", Text004, TestName = "Text_plain_gets_text_0_0_4")]
    [TestCase("text/plain;escaping=allow-utf-8", Text004, TestName = "Text_plain_without_version_gets_text_0_0_4")]
    [TestCase("application/openmetrics-text", Om100 + "underscores", TestName = "OpenMetrics_alone_gets_OpenMetrics_1")]
    [TestCase("text/plain;q=0.5, application/openmetrics-text;q=0.5", Om100 + "underscores", TestName = "Equal_q_prefers_OpenMetrics")]
    [TestCase("text/plain;version=1.0.0, text/plain;version=0.0.4", Text100 + "underscores", TestName = "Equal_q_prefers_text_1")]
    [TestCase("text/plain;version=1.0.0;q=0.4, text/plain;version=0.0.4;q=0.5", Text004, TestName = "Higher_q_for_text_0_0_4_gets_it")]
    [TestCase("text/plain;q=0.6, application/openmetrics-text;q=0.5", Text004, TestName = "Higher_text_q_gets_text")]
    [TestCase("application/openmetrics-text;q=0.1, */*;q=0.2", Text004, TestName = "Wildcard_above_OpenMetrics_gets_text")]
    [TestCase("application/openmetrics-text;q=0.5, text/*;q=0.6, */*;q=0.1", Text004, TestName = "Text_wildcard_counts_for_text_plain")]
    [TestCase("application/openmetrics-text;q=0.5, text/plain;q=0, */*;q=1", Om100 + "underscores", TestName = "Most_specific_range_decides_the_text_q")]
    [TestCase("application/openmetrics-text;version=1.0.0;q=0, application/openmetrics-text;q=0.5", Om001, TestName = "Refused_OpenMetrics_1_gets_0_0_1")]
    [TestCase("application/openmetrics-text;q=0", Text004, TestName = "Q_zero_means_not_acceptable")]
    [TestCase("text/plain;version=1.0.0;escaping=allow-utf-8;q=0", Text004, TestName = "Refused_text_1_gets_text_0_0_4")]
    [TestCase("APPLICATION/OpenMetrics-Text; Q=0.9, TEXT/PLAIN; q=0.8", Om100 + "underscores", TestName = "Media_types_are_case_insensitive")]
    [TestCase("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", Text004, TestName = "Protobuf_only_gets_text")]
    public void Media_ranges_and_q(string? accept, string contentType) => AssertNegotiates(accept, contentType);

    [TestCase("application/openmetrics-text;version=1.0.0;escaping=allow-utf8", Om100 + "underscores", TestName = "Misspelt_scheme_is_ignored")]
    [TestCase("application/openmetrics-text;version=1.0.0;escaping=bogus", Om100 + "underscores", TestName = "Unknown_scheme_is_ignored")]
    [TestCase("application/openmetrics-text;version=1.0.0;escaping=", Om100 + "underscores", TestName = "Empty_scheme_is_ignored")]
    [TestCase("application/openmetrics-text;version=1.0.0;escaping=\"allow-utf-8\"", Om100 + "allow-utf-8", TestName = "Quoted_scheme_is_read")]
    [TestCase("application/openmetrics-text;version=1.0.0;escaping=\"allow-utf-8", Om100 + "allow-utf-8", TestName = "Unclosed_quote_is_tolerated")]
    [TestCase("application/openmetrics-text;version=1.0.0;Escaping=DOTS", Om100 + "dots", TestName = "Scheme_is_case_insensitive")]
    [TestCase("text/plain;version=0.0.4;escaping=allow-utf-8", Text004, TestName = "Scheme_on_text_0_0_4_is_not_echoed")]
    [TestCase("application/openmetrics-text;version=0.0.1;escaping=allow-utf-8", Om001, TestName = "Scheme_on_OpenMetrics_0_0_1_is_not_echoed")]
    [TestCase("application/openmetrics-text;escaping=values", Om100 + "values", TestName = "Scheme_on_versionless_OpenMetrics_is_echoed")]
    [TestCase("application/openmetrics-text;version=1.0.0;escaping=dots;q=0.5,application/openmetrics-text;version=1.0.0;escaping=values;q=0.6",
        Om100 + "values", TestName = "Scheme_comes_from_the_range_with_the_highest_q")]
    [TestCase("application/openmetrics-text;version=1.0.0;foo=bar;escaping=allow-utf-8", Om100 + "allow-utf-8", TestName = "Unknown_parameters_are_ignored")]
    public void Escaping_schemes(string accept, string contentType) => AssertNegotiates(accept, contentType);

    [TestCase("application/openmetrics-text;version=2.0.0", TestName = "Unknown_OpenMetrics_version_gets_text")]
    [TestCase("text/plain;version=2.0.0", TestName = "Unknown_text_version_gets_text")]
    [TestCase("application/openmetrics-text;q=abc", TestName = "Garbage_q_gets_text")]
    [TestCase("application/openmetrics-text;q=1.5", TestName = "Q_above_one_gets_text")]
    [TestCase("application/openmetrics-text;q=-0.5", TestName = "Negative_q_gets_text")]
    [TestCase("application/openmetrics-text;q=0.1234", TestName = "Q_with_four_decimals_gets_text")]
    [TestCase("application/openmetrics-text, garbage", TestName = "Garbage_element_gets_text")]
    [TestCase("application/openmetrics-text;;", TestName = "Empty_parameter_gets_text")]
    [TestCase("application/openmetrics-text;version=1.0.0;escaping", TestName = "Escaping_without_a_value_gets_text")]
    [TestCase(",,,", TestName = "Only_commas_gets_text")]
    [TestCase("text/plain;version=1.0.0;escaping=allow-utf-8;q=1.0.0", TestName = "Garbled_q_on_text_1_gets_text_0_0_4")]
    public void Headers_that_do_not_parse_get_text_0_0_4(string accept) => AssertNegotiates(accept, Text004);

    [TestCase("application/openmetrics-text, , text/plain;q=0.9", Om100 + "underscores", TestName = "Empty_list_elements_are_ignored")]
    public void Empty_elements(string accept, string contentType) => AssertNegotiates(accept, contentType);

    private static void AssertNegotiates(string? accept, string contentType)
    {
        var negotiated = ExpositionWriter.Negotiate(accept);
        Assert.That(negotiated.ContentType, Is.EqualTo(contentType));
        // Two bodies serve every Content-Type: OpenMetrics for application/openmetrics-text, text for text/plain.
        Assert.That(negotiated.Format, Is.EqualTo(contentType.StartsWith("application/openmetrics-text", StringComparison.Ordinal)
            ? ExpositionFormat.OpenMetrics100
            : ExpositionFormat.PrometheusText004));
    }
}
