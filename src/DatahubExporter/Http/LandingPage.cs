using System.Net;
using DatahubExporter.Telemetry;

namespace DatahubExporter.Http;

/// <summary>The <c>/</c> page: name, version and a link to every path, nothing more.</summary>
internal static class LandingPage
{
    public static readonly string Html = $"""
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>datahub_exporter</title></head>
        <body>
        <h1>datahub_exporter</h1>
        <p>Prometheus exporter for Tencent Cloud CKafka Datahub tasks and connect resources. Version {WebUtility.HtmlEncode(BuildInfo.Version)} ({WebUtility.HtmlEncode(BuildInfo.Revision)}).</p>
        <ul>
        <li><a href="{Endpoints.TasksPath}">{Endpoints.TasksPath}</a> — Datahub task status</li>
        <li><a href="{Endpoints.ResourcesPath}">{Endpoints.ResourcesPath}</a> — connect resource status</li>
        <li><a href="{Endpoints.MetricsPath}">{Endpoints.MetricsPath}</a> — the exporter's own metrics</li>
        <li><a href="{Endpoints.HealthyPath}">{Endpoints.HealthyPath}</a>, <a href="{Endpoints.ReadyPath}">{Endpoints.ReadyPath}</a> — health and readiness</li>
        </ul>
        </body>
        </html>

        """;
}
