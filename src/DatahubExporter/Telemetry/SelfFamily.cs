using DatahubExporter.Exposition;

namespace DatahubExporter.Telemetry;

/// <summary>
/// One family of <c>/metrics</c> as <see cref="SelfMetrics"/> holds it: its name, HELP, TYPE and label names are fixed
/// when it is made; its series are read by <see cref="Collect"/> on each scrape. Implementations are thread-safe:
/// a scrape may collect while other threads count.
/// </summary>
internal abstract class SelfFamily
{
    protected SelfFamily(string name, string help, MetricType type, IReadOnlyList<string> labelNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(help);
        if (labelNames.Count > LabelValues.MaxLabels)
        {
            throw new ArgumentException($"{name}: at most {LabelValues.MaxLabels} labels", nameof(labelNames));
        }

        Name = name;
        Help = help;
        Type = type;
        LabelNames = labelNames;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricType Type { get; }

    /// <summary>The label names of every series, in order; a series whose value is null leaves that label out.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The family as it is now; a family without series is not written.</summary>
    public MetricFamily Collect() => new(Name, Help, Type, Samples());

    /// <summary>The series as they are now, in the family's own order.</summary>
    public abstract IReadOnlyList<Sample> Samples();

    /// <summary>One series of this family; the label array is made here, on the scrape, never when counting.</summary>
    protected Sample ToSample(LabelValues values, double value)
    {
        var count = 0;
        for (var i = 0; i < LabelNames.Count; i++)
        {
            count += values[i] is null ? 0 : 1;
        }

        var labels = new Label[count];
        for (int i = 0, j = 0; i < LabelNames.Count; i++)
        {
            if (values[i] is { } labelValue)
            {
                labels[j++] = new Label(LabelNames[i], labelValue);
            }
        }

        return new Sample(Name, labels, value);
    }
}
