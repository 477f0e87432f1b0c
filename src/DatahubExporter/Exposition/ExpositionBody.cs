using System.Collections.Concurrent;
using System.IO.Compression;

namespace DatahubExporter.Exposition;

/// <summary>
/// The serialised forms of one set of families, each rendered at most once per (format, gzip) and then
/// shared by every response that sends it. Thread-safe.
/// </summary>
internal sealed class ExpositionBody(IReadOnlyList<MetricFamily> families)
{
    /// <summary>The size of the last body per (first family, format, gzip): the next render of the same path
    /// starts with a buffer that fits, instead of doubling through ever larger arrays and copying the result.</summary>
    private static readonly ConcurrentDictionary<(string First, ExpositionFormat Format, bool Gzip), int> LastSize = new();

    private readonly ConcurrentDictionary<(ExpositionFormat Format, bool Gzip), Lazy<ReadOnlyMemory<byte>>> _payloads = new();

    public IReadOnlyList<MetricFamily> Families { get; } = families;

    /// <summary>The body for <paramref name="format"/>, gzip-compressed when <paramref name="gzip"/>.</summary>
    public ReadOnlyMemory<byte> Payload(ExpositionFormat format, bool gzip) =>
        _payloads.GetOrAdd((format, gzip), key => new Lazy<ReadOnlyMemory<byte>>(() => Render(Families, key.Format, key.Gzip))).Value;

    /// <summary>Renders fully into memory, so a failure mid-render can never send half a body.</summary>
    public static ReadOnlyMemory<byte> Render(IReadOnlyList<MetricFamily> families, ExpositionFormat format, bool gzip)
    {
        var key = (families.Count > 0 ? families[0].Name : "", format, gzip);
        var hint = LastSize.TryGetValue(key, out var last) ? last + (last / 16) + 4096 : 16 * 1024;
        var buffer = new MemoryStream(hint);
        if (gzip)
        {
            using var compressor = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true);
            ExpositionWriter.Write(compressor, families, format);
        }
        else
        {
            ExpositionWriter.Write(buffer, families, format);
        }

        var length = (int)buffer.Length;
        LastSize[key] = length;
        // The stream's own array, not a copy: a body is written once and then only read.
        return buffer.GetBuffer().AsMemory(0, length);
    }
}
