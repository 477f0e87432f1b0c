namespace DatahubExporter.Soak;

/// <summary>One answered (or unanswered) scrape. <paramref name="Status"/> is the HTTP status, or 0 when no
/// answer came (client timeout, connection error — <paramref name="Error"/> says which).</summary>
public sealed record ScrapeResult(string Path, int Status, double LatencyMs, string? Body, string? Error);
