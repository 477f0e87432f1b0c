using System.Globalization;

namespace DatahubExporter.Http;

/// <summary>
/// How long one scrape may take, following blackbox_exporter: Prometheus sends its scrape timeout in
/// <c>X-Prometheus-Scrape-Timeout-Seconds</c>; we answer <paramref name="offset"/> before it so that a slow
/// API becomes a failed collection in the answer, never a scrape that Prometheus itself times out.
/// </summary>
internal static class ScrapeDeadline
{
    public const string HeaderName = "X-Prometheus-Scrape-Timeout-Seconds";

    /// <summary>
    /// The budget for a scrape. A missing, unparsable, non-positive or non-finite header gives
    /// <paramref name="defaultTimeout"/>. Otherwise header minus offset; when the offset would eat the whole
    /// header (a header at or under the offset), half the header instead. No floor: the engine answers a budget under
    /// <see cref="Collectors.EngineOptions.MinimumBudget"/> at once as a failure, however short.
    /// </summary>
    public static TimeSpan Compute(string? headerValue, TimeSpan offset, TimeSpan defaultTimeout)
    {
        if (string.IsNullOrWhiteSpace(headerValue) ||
            !double.TryParse(headerValue.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ||
            !double.IsFinite(seconds) || seconds <= 0)
        {
            return defaultTimeout;
        }

        // Cap absurd values so TimeSpan never overflows; a day is longer than any sane scrape.
        seconds = Math.Min(seconds, 86_400);
        var header = TimeSpan.FromSeconds(seconds);
        return header > offset ? header - offset : header / 2;
    }
}
