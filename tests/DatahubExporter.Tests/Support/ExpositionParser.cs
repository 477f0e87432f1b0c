using System.Globalization;
using System.Text;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// A deliberately independent reader of the text format 0.0.4 for the tests: it unescapes label values by the
/// spec's rules, so a writer bug cannot hide behind the same bug in reading. Fails loudly on anything malformed.
/// The one exposition reader of the tests and of the soak (which links this file).
/// </summary>
public static class ExpositionParser
{
    public sealed record ParsedSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public string this[string label] => Labels[label];
    }

    /// <summary>Every sample of <paramref name="text"/>, or with <paramref name="only"/> the samples of that exact
    /// name alone (the other lines are skipped unread, which keeps a soak's big pages cheap).</summary>
    public static IReadOnlyList<ParsedSample> Parse(string text, string? only = null)
    {
        var samples = new List<ParsedSample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || (only is not null && !IsSampleOf(line, only)))
            {
                continue;
            }

            var i = 0;
            while (i < line.Length && line[i] != '{' && line[i] != ' ')
            {
                i++;
            }

            var name = line[..i];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (i < line.Length && line[i] == '{')
            {
                i++;
                while (line[i] != '}')
                {
                    var eq = line.IndexOf('=', i);
                    var labelName = line[i..eq];
                    if (line[eq + 1] != '"')
                    {
                        throw new FormatException($"label value not quoted: {line}");
                    }

                    var value = new StringBuilder();
                    var j = eq + 2;
                    for (; line[j] != '"'; j++)
                    {
                        if (line[j] == '\\')
                        {
                            j++;
                            value.Append(line[j] switch
                            {
                                'n' => '\n',
                                '\\' => '\\',
                                '"' => '"',
                                _ => throw new FormatException($"bad escape \\{line[j]} in: {line}"),
                            });
                        }
                        else
                        {
                            value.Append(line[j]);
                        }
                    }

                    if (!labels.TryAdd(labelName, value.ToString()))
                    {
                        throw new FormatException($"duplicate label {labelName}: {line}");
                    }

                    i = j + 1;
                    if (line[i] == ',')
                    {
                        i++;
                    }
                }

                i++;
            }

            var valueText = line[(i + 1)..];
            var v = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new ParsedSample(name, labels, v));
        }

        return samples;
    }

    private static bool IsSampleOf(string line, string name) =>
        line.Length > name.Length && line.StartsWith(name, StringComparison.Ordinal) && line[name.Length] is '{' or ' ';
}
