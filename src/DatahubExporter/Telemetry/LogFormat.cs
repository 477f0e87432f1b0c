namespace DatahubExporter.Telemetry;

/// <summary>How <see cref="StructuredLoggerProvider"/> writes a log line (<c>--log.format</c>).</summary>
internal enum LogFormat
{
    Logfmt,
    Json,
}
