using System.Collections.Concurrent;
using DatahubExporter.Exposition;

namespace DatahubExporter.Telemetry;

/// <summary>
/// A counter family of the exporter's own (<c>…_total</c>), one series per distinct set of label values, created on
/// first use or ahead of it with <see cref="Touch"/> (a series that exists at 0 lets <c>rate()</c> see the first
/// increment). Lock-free: counting an existing series is one dictionary lookup and one compare-and-swap, without
/// allocating. Monotonic: a negative or NaN amount is ignored. Series are written sorted by label values.
/// </summary>
internal sealed class SelfCounter(string name, string help, params string[] labelNames)
    : SelfFamily(name, help, MetricType.Counter, labelNames)
{
    private readonly ConcurrentDictionary<LabelValues, Cell> _series = new();

    /// <summary>Adds one to the series <paramref name="labels"/>.</summary>
    public void Increment(LabelValues labels) => Add(labels, 1);

    /// <summary>Adds <paramref name="amount"/> (ignored unless positive) to the series <paramref name="labels"/>.</summary>
    public void Add(LabelValues labels, double amount)
    {
        var cell = Series(labels);
        if (amount > 0)
        {
            cell.Add(amount);
        }
    }

    /// <summary>Makes the series exist (at 0 when new).</summary>
    public void Touch(LabelValues labels) => Series(labels);

    /// <summary>The series' value; 0 when it does not exist.</summary>
    public double Get(LabelValues labels) => _series.TryGetValue(labels, out var cell) ? cell.Value : 0;

    public override IReadOnlyList<Sample> Samples()
    {
        var snapshot = _series.ToArray();
        Array.Sort(snapshot, static (a, b) => a.Key.CompareTo(b.Key));
        var samples = new Sample[snapshot.Length];
        for (var i = 0; i < snapshot.Length; i++)
        {
            samples[i] = ToSample(snapshot[i].Key, snapshot[i].Value.Value);
        }

        return samples;
    }

    private Cell Series(LabelValues labels) => _series.GetOrAdd(labels, static _ => new Cell());

    private sealed class Cell
    {
        private double _value;

        public double Value => Volatile.Read(ref _value);

        public void Add(double amount)
        {
            var current = Volatile.Read(ref _value);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _value, current + amount, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }
    }
}
