using System.Buffers;

namespace DatahubExporter.Exposition;

/// <summary>An <see cref="IBufferWriter{T}"/> that hands full chunks to a synchronous stream, keeping
/// memory flat however many series a scrape has.</summary>
internal sealed class StreamBufferWriter(Stream stream) : IBufferWriter<byte>, IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private int filled;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (filled + count > buffer.Length)
        {
            throw new InvalidOperationException("advanced past the end of the span");
        }

        filled += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsMemory(filled);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsSpan(filled);
    }

    public void Flush()
    {
        if (filled > 0)
        {
            stream.Write(buffer, 0, filled);
            filled = 0;
        }
    }

    public void Dispose()
    {
        var rented = buffer;
        buffer = [];
        if (rented.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (buffer.Length - filled >= needed)
        {
            return;
        }

        Flush();
        if (buffer.Length < needed)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(needed);
        }
    }
}
