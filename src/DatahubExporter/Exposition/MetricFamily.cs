namespace DatahubExporter.Exposition;

internal enum MetricType
{
    Gauge,
    Counter,
    Histogram,
    Untyped,
}

/// <summary>One label pair. Values are raw; escaping is the writer's job alone.</summary>
internal readonly record struct Label(string Name, string Value);

/// <summary>
/// One sample line. <see cref="Name"/> is the full sample name (e.g. <c>foo_bucket</c>, <c>foo_total</c>),
/// which for gauges equals the family name.
/// </summary>
internal readonly record struct Sample(string Name, IReadOnlyList<Label> Labels, double Value);

/// <summary>A metric family: what one <c># HELP</c>/<c># TYPE</c> pair introduces.</summary>
internal sealed record MetricFamily(string Name, string Help, MetricType Type, IReadOnlyList<Sample> Samples)
{
    /// <summary>When set, the series are written from this source and <see cref="Samples"/> is only a view
    /// built on demand (see <see cref="FromSeries"/>).</summary>
    public SeriesSource? Series { get; private init; }

    /// <summary>A gauge family whose series are written straight from <paramref name="series"/>.</summary>
    public static MetricFamily FromSeries(string name, string help, SeriesSource series) =>
        new(name, help, MetricType.Gauge, new SeriesSource.LazySamples(series, name)) { Series = series };
}
