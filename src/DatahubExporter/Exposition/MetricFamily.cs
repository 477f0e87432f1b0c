namespace DatahubExporter.Exposition;

public enum MetricType
{
    Gauge,
    Counter,
    Histogram,
    Untyped,
}

/// <summary>One label pair. Values are raw; escaping is the writer's job alone.</summary>
public readonly record struct Label(string Name, string Value);

/// <summary>
/// One sample line. <see cref="Name"/> is the full sample name (e.g. <c>foo_bucket</c>, <c>foo_total</c>),
/// which for gauges equals the family name.
/// </summary>
public readonly record struct Sample(string Name, IReadOnlyList<Label> Labels, double Value);

/// <summary>A metric family: what one <c># HELP</c>/<c># TYPE</c> pair introduces.</summary>
public sealed record MetricFamily(string Name, string Help, MetricType Type, IReadOnlyList<Sample> Samples);
