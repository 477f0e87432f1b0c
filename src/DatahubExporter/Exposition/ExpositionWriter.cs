using System.Buffers;

namespace DatahubExporter.Exposition;

/// <summary>
/// Serializes metric families as Prometheus text 0.0.4 or OpenMetrics 1.0.0 — the only code that knows
/// either format. Output is UTF-8 without BOM, <c>\n</c> line ends, invariant numbers, families and samples
/// in the order given. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para>Every name is checked before the first byte is written: an invalid metric or label name, a
/// duplicate family, or a sample that does not belong to its family is a programming error and throws
/// <see cref="ArgumentException"/> with the output untouched. Label values and HELP text may be any
/// string; lone surrogates become U+FFFD and nothing in them throws.</para>
/// <para>Families without samples are skipped entirely (no HELP/TYPE), as client_golang's registry does,
/// so a scrape never advertises a series it does not carry.</para>
/// </remarks>
internal static class ExpositionWriter
{
    // 0.0.4: HELP escapes only backslash and newline; label values also escape the double quote.
    // OpenMetrics uses the label-value escaping for HELP too (escaped-string in its ABNF).
    private static readonly SearchValues<char> TextHelpSpecials = SearchValues.Create("\\\n");
    private static readonly SearchValues<char> QuotedSpecials = SearchValues.Create("\\\n\"");

    /// <summary>What label values escape: backslash, newline, double quote (the same in both formats).</summary>
    internal static SearchValues<char> LabelValueSpecials => QuotedSpecials;

    /// <summary>Picks the format and the Content-Type for an HTTP <c>Accept</c> header; anything unclear gets text 0.0.4.</summary>
    public static NegotiatedFormat Negotiate(string? acceptHeader) => AcceptNegotiator.Negotiate(acceptHeader);

    /// <summary>A sample value as it appears in the output (<c>+Inf</c>, <c>1234567</c>, <c>0.25</c>,
    /// <c>1.5e-07</c>); use it for histogram <c>le</c> labels so they match the values.</summary>
    public static string FormatValue(double value) => SampleValueFormatter.Format(value);

    /// <summary>Writes synchronously to <paramref name="output"/> in 64 KiB chunks; does not flush or
    /// close the stream.</summary>
    public static void Write(Stream output, IEnumerable<MetricFamily> families, ExpositionFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var buffer = new StreamBufferWriter(output);
        Write(buffer, families, format);
        buffer.Flush();
    }

    /// <summary>Writes to <paramref name="output"/> (for example a <c>PipeWriter</c>); the caller flushes.</summary>
    public static void Write(IBufferWriter<byte> output, IEnumerable<MetricFamily> families, ExpositionFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(families);
        var list = families as IReadOnlyList<MetricFamily> ?? families.ToList();
        MetricNames.Validate(list);

        var writer = new Utf8SpanWriter(output);
        foreach (var family in list)
        {
            if (family.Samples.Count == 0)
            {
                continue;
            }

            if (family.Series is { } series)
            {
                // Gauges only: the same lines in both formats.
                WriteDescriptors(ref writer, family.Name, family.Help, format == ExpositionFormat.OpenMetrics100 ? QuotedSpecials : TextHelpSpecials,
                    " gauge\n"u8);
                series.Write(ref writer, family.Name);
                continue;
            }

            if (format == ExpositionFormat.OpenMetrics100)
            {
                WriteOpenMetricsFamily(ref writer, family);
            }
            else
            {
                WriteTextFamily(ref writer, family);
            }
        }

        if (format == ExpositionFormat.OpenMetrics100)
        {
            writer.WriteAscii("# EOF\n"u8);
        }

        writer.Flush();
    }

    private static void WriteTextFamily(ref Utf8SpanWriter writer, MetricFamily family)
    {
        // 0.0.4 parsers tie TYPE to samples by exact name, so a counter family "x" whose samples are
        // "x_total" is announced as "x_total".
        var name = family.Type == MetricType.Counter ? family.Samples[0].Name : family.Name;
        WriteDescriptors(ref writer, name, family.Help, TextHelpSpecials, family.Type switch
        {
            MetricType.Counter => " counter\n"u8,
            MetricType.Gauge => " gauge\n"u8,
            MetricType.Histogram => " histogram\n"u8,
            _ => " untyped\n"u8,
        });

        foreach (var sample in family.Samples)
        {
            WriteSample(ref writer, sample.Name, false, sample);
        }
    }

    private static void WriteOpenMetricsFamily(ref Utf8SpanWriter writer, MetricFamily family)
    {
        // OpenMetrics names a counter family without the _total its samples carry.
        var isCounter = family.Type == MetricType.Counter;
        var name = isCounter && family.Name.EndsWith("_total", StringComparison.Ordinal) ? family.Name[..^6] : family.Name;
        WriteDescriptors(ref writer, name, family.Help, QuotedSpecials, family.Type switch
        {
            MetricType.Counter => " counter\n"u8,
            MetricType.Gauge => " gauge\n"u8,
            MetricType.Histogram => " histogram\n"u8,
            _ => " unknown\n"u8,
        });

        foreach (var sample in family.Samples)
        {
            var appendTotal = isCounter && sample.Name.Length == name.Length;
            WriteSample(ref writer, sample.Name, appendTotal, sample);
        }
    }

    private static void WriteDescriptors(ref Utf8SpanWriter writer, string name, string help, SearchValues<char> helpSpecials, ReadOnlySpan<byte> typeLineEnd)
    {
        // The space after the name stays even when HELP is empty: both grammars require it.
        writer.WriteAscii("# HELP "u8);
        writer.WriteName(name);
        writer.WriteByte((byte)' ');
        writer.WriteEscaped(help, helpSpecials);
        writer.WriteAscii("\n# TYPE "u8);
        writer.WriteName(name);
        writer.WriteAscii(typeLineEnd);
    }

    private static void WriteSample(ref Utf8SpanWriter writer, string name, bool appendTotal, Sample sample)
    {
        writer.WriteName(name);
        if (appendTotal)
        {
            writer.WriteAscii("_total"u8);
        }

        var labels = sample.Labels;
        if (labels is { Count: > 0 })
        {
            writer.WriteByte((byte)'{');
            for (var i = 0; i < labels.Count; i++)
            {
                if (i > 0)
                {
                    writer.WriteByte((byte)',');
                }

                writer.WriteName(labels[i].Name);
                writer.WriteAscii("=\""u8);
                writer.WriteEscaped(labels[i].Value, QuotedSpecials);
                writer.WriteByte((byte)'"');
            }

            writer.WriteByte((byte)'}');
        }

        writer.WriteByte((byte)' ');
        writer.WriteValue(sample.Value);
        writer.WriteByte((byte)'\n');
    }
}
