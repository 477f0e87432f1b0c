using DatahubExporter.Tests.Support;

namespace DatahubExporter.Soak;

/// <summary>
/// The soak's reads of a page: samples of named families with their labels (through the tests' parser), and fast
/// per-region counts of big families. Works on text 0.0.4 and OpenMetrics alike, since sample lines look the same in both.
/// </summary>
public static class ExpositionScan
{
    /// <summary>Samples of the family <paramref name="name"/> (exact sample name), labels and value, read by the tests'
    /// <see cref="ExpositionParser"/>.</summary>
    public static IEnumerable<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string text, string name) =>
        ExpositionParser.Parse(text, name).Select(s => (s.Labels, s.Value));

    /// <summary>Per region, how many samples of <paramref name="name"/> whose first label is <c>region</c> the text has.</summary>
    public static Dictionary<string, int> CountByRegion(string text, string name)
    {
        var prefix = name + "{region=\"";
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Lines(text))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var end = line.IndexOf('"', prefix.Length);
            var region = line[prefix.Length..end];
            counts[region] = counts.GetValueOrDefault(region) + 1;
        }

        return counts;
    }

    /// <summary>Value by the given label for every sample of <paramref name="name"/>.</summary>
    public static Dictionary<string, double> ByLabel(string text, string name, string label) =>
        Samples(text, name).ToDictionary(s => s.Labels[label], s => s.Value, StringComparer.Ordinal);

    private static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            yield return text[start..end];
            start = end + 1;
        }
    }
}
