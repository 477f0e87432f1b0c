using System.Collections.Concurrent;
using DatahubExporter.Exposition;

namespace DatahubExporter.Collectors;

/// <summary>
/// The families to write, and whether every region's collection succeeded (for <c>--once</c>'s exit code).
/// Scrapes that share one collection get the same answer, and with it one <see cref="Payloads"/> cache,
/// so a hundred joined scrapes serialise (and compress) the exposition once per format, not a hundred times.
/// </summary>
public sealed record ScrapeAnswer(IReadOnlyList<MetricFamily> Families, bool AllSucceeded)
{
    private readonly ConcurrentDictionary<(ExpositionFormat Format, bool Gzip), Lazy<byte[]>> _payloads = new();

    /// <summary>The serialised body for <paramref name="format"/> and <paramref name="gzip"/>, made by
    /// <paramref name="render"/> at most once per answer. Thread-safe.</summary>
    public byte[] Payload(ExpositionFormat format, bool gzip, Func<IReadOnlyList<MetricFamily>, ExpositionFormat, bool, byte[]> render) =>
        _payloads.GetOrAdd((format, gzip), key => new Lazy<byte[]>(() => render(Families, key.Format, key.Gzip))).Value;
}
