using System.Globalization;
using System.Text;
using DatahubExporter.Exposition;

namespace DatahubExporter.Benchmarks;

/// <summary>
/// The comparison baseline: text 0.0.4 the obvious way — one StringBuilder, <c>string.Replace</c> escaping,
/// <c>double.ToString</c>, then one UTF-8 encode of the whole string. Correct for this data (finite values),
/// so the two writers do the same work and only the technique differs.
/// </summary>
internal static class NaiveTextWriter
{
    public static void Write(Stream output, IReadOnlyList<MetricFamily> families)
    {
        var sb = new StringBuilder();
        foreach (var family in families)
        {
            sb.Append("# HELP ").Append(family.Name).Append(' ').Append(family.Help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
            sb.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type.ToString().ToLowerInvariant()).Append('\n');
            foreach (var sample in family.Samples)
            {
                sb.Append(sample.Name);
                if (sample.Labels.Count > 0)
                {
                    sb.Append('{');
                    for (var i = 0; i < sample.Labels.Count; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(',');
                        }

                        var value = sample.Labels[i].Value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
                        sb.Append(sample.Labels[i].Name).Append("=\"").Append(value).Append('"');
                    }

                    sb.Append('}');
                }

                sb.Append(' ').Append(sample.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        output.Write(bytes, 0, bytes.Length);
    }
}
