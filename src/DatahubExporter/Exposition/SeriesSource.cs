using System.Collections;

namespace DatahubExporter.Exposition;

/// <summary>
/// The series of one gauge family written straight from compact records, without a <see cref="Sample"/> or
/// a label array per series: a scrape of 10,000 tasks would otherwise build 20,000 of each only to write
/// them once. Every series carries the labels <see cref="LabelNames"/> in that order; the names are checked
/// once, the values are the implementation's to escape.
/// </summary>
internal abstract class SeriesSource
{
    /// <summary>How many series <see cref="Write"/> writes.</summary>
    public abstract int Count { get; }

    /// <summary>The label names of every series, in order.</summary>
    public abstract IReadOnlyList<string> LabelNames { get; }

    /// <summary>Writes each series as <c>name{labels} value\n</c>; label values escaped as both text formats
    /// want them (backslash, double quote and newline).</summary>
    internal abstract void Write(ref Utf8SpanWriter writer, string name);

    /// <summary>The series as samples, for tests and tools; never used for rendering.</summary>
    public abstract IEnumerable<Sample> ToSamples(string name);

    /// <summary>A read-only sample view that is only built when someone reads it.</summary>
    internal sealed class LazySamples(SeriesSource source, string name) : IReadOnlyList<Sample>
    {
        private IReadOnlyList<Sample>? _samples;

        private IReadOnlyList<Sample> Samples => _samples ??= source.ToSamples(name).ToList();

        public int Count => source.Count;

        public Sample this[int index] => Samples[index];

        public IEnumerator<Sample> GetEnumerator() => Samples.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
