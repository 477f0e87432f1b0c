using DatahubExporter.Exposition;

namespace DatahubExporter.Collectors;

/// <summary>
/// The families to write, and whether every region's collection succeeded (for <c>--once</c>'s exit code).
/// Scrapes that share one collection get the same answer, and with it one <see cref="Body"/>, so a hundred
/// joined scrapes serialise (and compress) the exposition once per format, not a hundred times.
/// </summary>
internal sealed record ScrapeAnswer(IReadOnlyList<MetricFamily> Families, bool AllSucceeded)
{
    private ExpositionBody? _body;

    /// <summary>The rendered bodies of this answer, made on first use. Thread-safe.</summary>
    public ExpositionBody Body => LazyInitializer.EnsureInitialized(ref _body, () => new ExpositionBody(Families));
}
