using System.Buffers;

namespace DatahubExporter.Exposition;

/// <summary>The name grammar shared by both text formats. Invalid names are programming errors, so the
/// writer throws <see cref="ArgumentException"/> before it writes a single byte.</summary>
internal static class MetricNames
{
    // Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names: [a-zA-Z_][a-zA-Z0-9_]* (Prometheus data model).
    private static readonly SearchValues<char> MetricChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:");
    private static readonly SearchValues<char> LabelChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    public static bool IsValidMetricName(string? name) =>
        !string.IsNullOrEmpty(name) && !char.IsAsciiDigit(name[0]) && !name.AsSpan().ContainsAnyExcept(MetricChars);

    public static bool IsValidLabelName(string? name) =>
        !string.IsNullOrEmpty(name) && !char.IsAsciiDigit(name[0]) && !name.AsSpan().ContainsAnyExcept(LabelChars);

    /// <summary>Checks every family before anything is written, so a bad name never leaves a half-written
    /// response behind.</summary>
    public static void Validate(IReadOnlyList<MetricFamily> families)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var family in families)
        {
            ArgumentNullException.ThrowIfNull(family, nameof(families));
            if (!IsValidMetricName(family.Name))
            {
                throw new ArgumentException($"invalid metric family name \"{family.Name}\"", nameof(families));
            }

            if (!seen.Add(family.Name))
            {
                throw new ArgumentException($"metric family \"{family.Name}\" appears twice", nameof(families));
            }

            if (family.Help is null || family.Samples is null)
            {
                throw new ArgumentException($"metric family \"{family.Name}\" has a null Help or Samples", nameof(families));
            }

            if (family.Series is { } series)
            {
                if (family.Type != MetricType.Gauge)
                {
                    throw new ArgumentException($"metric family \"{family.Name}\" written from a series source must be a gauge", nameof(families));
                }

                ValidateLabels(family.Name, series.LabelNames.Select(n => new Label(n, "")).ToList());
                continue;
            }

            foreach (var sample in family.Samples)
            {
                // A counter's samples share one name, which the 0.0.4 TYPE line repeats.
                if (!SampleBelongsTo(sample.Name, family)
                    || (family.Type == MetricType.Counter && sample.Name != family.Samples[0].Name))
                {
                    throw new ArgumentException(
                        $"sample \"{sample.Name}\" does not belong to {family.Type} family \"{family.Name}\"", nameof(families));
                }

                ValidateLabels(family.Name, sample.Labels);
            }
        }
    }

    private static void ValidateLabels(string family, IReadOnlyList<Label>? labels)
    {
        if (labels is null)
        {
            return;
        }

        for (var i = 0; i < labels.Count; i++)
        {
            var name = labels[i].Name;
            if (!IsValidLabelName(name))
            {
                throw new ArgumentException($"invalid label name \"{name}\" in family \"{family}\"", nameof(labels));
            }

            if (labels[i].Value is null)
            {
                throw new ArgumentException($"label \"{name}\" in family \"{family}\" has a null value", nameof(labels));
            }

            // Label sets are small (a handful), so the quadratic scan beats allocating a set.
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(labels[j].Name, name, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"label \"{name}\" repeated in family \"{family}\"", nameof(labels));
                }
            }
        }
    }

    /// <summary>Gauges and untyped samples carry the family name; counters may add <c>_total</c> (0.0.4
    /// families are usually named with it already); histograms use <c>_bucket</c>, <c>_sum</c>, <c>_count</c>.</summary>
    private static bool SampleBelongsTo(string? sample, MetricFamily family)
    {
        if (sample is null)
        {
            return false;
        }

        if (family.Type == MetricType.Histogram)
        {
            return sample.StartsWith(family.Name, StringComparison.Ordinal)
                && sample.AsSpan(family.Name.Length) is "_bucket" or "_sum" or "_count";
        }

        if (sample == family.Name)
        {
            return true;
        }

        return family.Type == MetricType.Counter
            && !family.Name.EndsWith("_total", StringComparison.Ordinal)
            && sample.Length == family.Name.Length + 6
            && sample.StartsWith(family.Name, StringComparison.Ordinal)
            && sample.EndsWith("_total", StringComparison.Ordinal);
    }
}
