using System.Collections.Concurrent;
using System.IO.Compression;

namespace DatahubExporter.Exposition;

/// <summary>
/// The serialised forms of one set of families, each rendered at most once per (format, gzip) and then
/// shared by every response that sends it. Thread-safe.
/// </summary>
public sealed class ExpositionBody(IReadOnlyList<MetricFamily> families)
{
    private readonly ConcurrentDictionary<(ExpositionFormat Format, bool Gzip), Lazy<byte[]>> _payloads = new();

    public IReadOnlyList<MetricFamily> Families { get; } = families;

    /// <summary>The body for <paramref name="format"/>, gzip-compressed when <paramref name="gzip"/>.</summary>
    public byte[] Payload(ExpositionFormat format, bool gzip) =>
        _payloads.GetOrAdd((format, gzip), key => new Lazy<byte[]>(() => Render(Families, key.Format, key.Gzip))).Value;

    /// <summary>Renders fully into memory, so a failure mid-render can never send half a body.</summary>
    public static byte[] Render(IReadOnlyList<MetricFamily> families, ExpositionFormat format, bool gzip)
    {
        using var buffer = new MemoryStream(16 * 1024);
        if (gzip)
        {
            using var compressor = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true);
            ExpositionWriter.Write(compressor, families, format);
        }
        else
        {
            ExpositionWriter.Write(buffer, families, format);
        }

        return buffer.ToArray();
    }
}
