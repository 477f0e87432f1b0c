using DatahubExporter.Exposition;

namespace DatahubExporter.Telemetry;

/// <summary>
/// The registry of the exporter's own metrics: every family on <c>/metrics</c> is registered here once, at start-up
/// (<c>ExporterServices.SelfMetrics</c>), and <see cref="Collect"/> writes them in the order they were registered.
/// A new self-metric is a <see cref="SelfCounter"/> or <see cref="SelfGauge"/> registered there, or a callback
/// (<see cref="Callback"/>) for a family whose series are read from somewhere else (a histogram, a shared counter).
/// Thread-safe: registering is rare and takes a lock; collecting reads an immutable list and takes none.
/// </summary>
internal sealed class SelfMetrics
{
    private readonly Lock _gate = new();
    private volatile Entry[] _entries = [];

    /// <summary>Registers <paramref name="family"/> after every family registered so far.</summary>
    /// <exception cref="ArgumentException">A family of that name is registered already.</exception>
    public T Add<T>(T family)
        where T : SelfFamily
    {
        ArgumentNullException.ThrowIfNull(family);
        Append(new Entry(family.Name, family, null));
        return family;
    }

    public SelfCounter Counter(string name, string help, params string[] labelNames) => Add(new SelfCounter(name, help, labelNames));

    public SelfGauge Gauge(string name, string help, params string[] labelNames) => Add(new SelfGauge(name, help, labelNames));

    /// <summary>A gauge whose series <paramref name="read"/> gives on each scrape, in its order.</summary>
    public SelfGauge CallbackGauge(string name, string help, string[] labelNames, Func<IEnumerable<(LabelValues Labels, double Value)>> read) =>
        Add(new SelfGauge(name, help, labelNames, read));

    /// <summary>A family of any type whose samples <paramref name="samples"/> gives on each scrape, already named and ordered
    /// (a histogram's <c>_bucket</c>, <c>_sum</c> and <c>_count</c>, or another family's series).</summary>
    public void Callback(string name, string help, MetricType type, Func<IReadOnlyList<Sample>> samples) =>
        Add(new CallbackFamily(name, help, type, samples));

    /// <summary>Families that come out of one read of their source (the <c>process_*</c> and <c>dotnet_*</c> families from
    /// one read of <c>/proc/self</c>): written here, in the order <paramref name="families"/> gives them.</summary>
    public void Source(string description, Func<IEnumerable<MetricFamily>> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        Append(new Entry(description, null, families));
    }

    /// <summary>Every registered family as it is now, in registration order.</summary>
    public IReadOnlyList<MetricFamily> Collect()
    {
        var entries = _entries;
        var families = new List<MetricFamily>(entries.Length + 16);
        foreach (var entry in entries)
        {
            if (entry.Family is { } family)
            {
                families.Add(family.Collect());
            }
            else
            {
                families.AddRange(entry.Source!());
            }
        }

        return families;
    }

    /// <summary>The registered family called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">None is.</exception>
    public SelfFamily this[string name] =>
        Array.Find(_entries, e => e.Family?.Name == name)?.Family ?? throw new KeyNotFoundException(name);

    private void Append(Entry entry)
    {
        lock (_gate)
        {
            if (Array.Exists(_entries, e => e.Key == entry.Key))
            {
                throw new ArgumentException($"{entry.Key} is registered already", nameof(entry));
            }

            _entries = [.. _entries, entry];
        }
    }

    private sealed record Entry(string Key, SelfFamily? Family, Func<IEnumerable<MetricFamily>>? Source);

    private sealed class CallbackFamily(string name, string help, MetricType type, Func<IReadOnlyList<Sample>> samples)
        : SelfFamily(name, help, type, [])
    {
        public override IReadOnlyList<Sample> Samples() => samples();
    }
}
