using System.Globalization;
using System.Text;

namespace DatahubExporter.Soak;

/// <summary>
/// Just enough of a text-format reader for the soak's checks: samples of named families with their labels
/// (label values unescaped by the 0.0.4 rules), and fast per-region counts of big families. Works on text
/// 0.0.4 and OpenMetrics alike, since sample lines look the same in both.
/// </summary>
public static class ExpositionScan
{
    /// <summary>Samples of the family <paramref name="name"/> (exact sample name), labels and value.</summary>
    public static IEnumerable<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string text, string name)
    {
        var prefix = name + "{";
        var bare = name + " ";
        foreach (var line in Lines(text))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return ParseLabelled(line, prefix.Length);
            }
            else if (line.StartsWith(bare, StringComparison.Ordinal))
            {
                yield return (new Dictionary<string, string>(), ParseValue(line[bare.Length..]));
            }
        }
    }

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

    private static (IReadOnlyDictionary<string, string>, double) ParseLabelled(string line, int i)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (line[i] != '}')
        {
            var eq = line.IndexOf('=', i);
            var labelName = line[i..eq];
            var value = new StringBuilder();
            var j = eq + 2;
            for (; line[j] != '"'; j++)
            {
                if (line[j] == '\\')
                {
                    j++;
                    value.Append(line[j] == 'n' ? '\n' : line[j]);
                }
                else
                {
                    value.Append(line[j]);
                }
            }

            labels[labelName] = value.ToString();
            i = j + 1;
            if (line[i] == ',')
            {
                i++;
            }
        }

        return (labels, ParseValue(line[(i + 1)..].Trim()));
    }

    private static double ParseValue(string text)
    {
        // A sample may carry a timestamp after the value; the exporter sends none, but be tolerant.
        var first = text.Split(' ', 2)[0];
        return first switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(first, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }
}
