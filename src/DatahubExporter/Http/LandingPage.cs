using DatahubExporter.Telemetry;

namespace DatahubExporter.Http;

/// <summary>The <c>/</c> page: name, version and a link to every path (the scrape paths from
/// <see cref="ExporterServices.AllPaths"/>, so a new path is listed without an edit here), nothing more.</summary>
internal static class LandingPage
{
    public static readonly string Html = $"""
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>datahub_exporter</title></head>
        <body>
        <h1>datahub_exporter</h1>
        <p>Prometheus exporter for Tencent Cloud CKafka Datahub tasks and connect resources. Version {HtmlText.Escape(BuildInfo.Version)} ({HtmlText.Escape(BuildInfo.Revision)}).</p>
        <ul>
        {string.Concat(ExporterServices.AllPaths.Select(p => $"<li><a href=\"{p.HttpPath}\">{p.HttpPath}</a> — {HtmlText.Escape(p.Summary)}</li>\n"))}        <li><a href="{Endpoints.StatusPath}">{Endpoints.StatusPath}</a> — what is failing now and why, for people</li>
        <li><a href="{Endpoints.MetricsPath}">{Endpoints.MetricsPath}</a> — the exporter's own metrics</li>
        <li><a href="{Endpoints.HealthyPath}">{Endpoints.HealthyPath}</a>, <a href="{Endpoints.ReadyPath}">{Endpoints.ReadyPath}</a> — health and readiness</li>
        </ul>
        </body>
        </html>

        """;
}
