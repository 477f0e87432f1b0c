using System.Collections.Concurrent;
using DatahubExporter.Exposition;

namespace DatahubExporter.Telemetry;

/// <summary>
/// A gauge family of the exporter's own. Either set (<see cref="Set"/>, one series per distinct set of label values,
/// written sorted by them), or a callback gauge whose series are read from current state on each scrape (the
/// configuration in force, the limiter's rates, the expiry of credentials), written in the callback's order.
/// Thread-safe and lock-free; a callback must be too.
/// </summary>
internal sealed class SelfGauge : SelfFamily
{
    private readonly ConcurrentDictionary<LabelValues, double>? _series;
    private readonly Func<IEnumerable<(LabelValues Labels, double Value)>>? _read;

    /// <summary>A gauge set with <see cref="Set"/>.</summary>
    public SelfGauge(string name, string help, params string[] labelNames)
        : base(name, help, MetricType.Gauge, labelNames)
    {
        _series = new();
    }

    /// <summary>A callback gauge: <paramref name="read"/> gives its series on each scrape.</summary>
    public SelfGauge(string name, string help, string[] labelNames, Func<IEnumerable<(LabelValues Labels, double Value)>> read)
        : base(name, help, MetricType.Gauge, labelNames)
    {
        _read = read;
    }

    /// <exception cref="InvalidOperationException">A callback gauge.</exception>
    public void Set(LabelValues labels, double value)
    {
        if (_series is null)
        {
            throw new InvalidOperationException($"{Name} is a callback gauge");
        }

        _series[labels] = value;
    }

    public override IReadOnlyList<Sample> Samples()
    {
        if (_read is not null)
        {
            var read = new List<Sample>();
            foreach (var (labels, value) in _read())
            {
                read.Add(ToSample(labels, value));
            }

            return read;
        }

        var snapshot = _series!.ToArray();
        Array.Sort(snapshot, static (a, b) => a.Key.CompareTo(b.Key));
        return Array.ConvertAll(snapshot, p => ToSample(p.Key, p.Value));
    }
}
