using System.Buffers;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// Where API answers are read into: pages (~120 KB for 100 tasks) rent from the shared pool, anything above
/// <see cref="MaxPooledBytes"/> is a plain array the GC takes back. The shared pool keeps what is returned to it for
/// as long as the process lives, so three 40 MiB answers that were refused left the binary at 168 MiB (issue 16
/// item 4). Thread-safe.
/// </summary>
internal sealed class ResponseBuffers(ArrayPool<byte> pool)
{
    /// <summary>The largest buffer rented from or returned to the pool: eight times a page of 100 tasks.</summary>
    public const int MaxPooledBytes = 1 << 20;

    public static ResponseBuffers Shared { get; } = new(ArrayPool<byte>.Shared);

    public byte[] Rent(int minimumLength) =>
        minimumLength <= MaxPooledBytes ? pool.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    /// <summary>Hands a buffer from <see cref="Rent"/> back: to the pool if it is small enough, else to the GC.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length <= MaxPooledBytes)
        {
            pool.Return(buffer);
        }
    }
}
