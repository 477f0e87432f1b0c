namespace DatahubExporter.TencentCloud;

/// <summary>Reads a response body with a size cap, into a <see cref="ResponseBuffers"/> buffer. Failures are
/// <see cref="TencentCloudException"/> with code <c>ResponseTooLarge</c>; the buffer is returned on every failure.</summary>
internal static class BoundedBody
{
    /// <summary>
    /// Reads the decoded body into a buffer rented from <paramref name="buffers"/> (the shared ones by default; the
    /// caller returns it there), failing as
    /// soon as it passes <see cref="TencentCloudClientOptions.MaxResponseBytes"/>. Content-Length is only a
    /// shortcut for refusing early: it is absent when the handler decompresses, and may lie. Pooled because a
    /// page of 100 tasks is ~120 KB: a fresh array per page would land on the large-object heap every time.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> ReadAsync(ApiCall call, HttpContent content, long maxResponseBytes, CancellationToken cancellationToken,
        ResponseBuffers? buffers = null)
    {
        buffers ??= ResponseBuffers.Shared;
        var limit = (int)Math.Min(Math.Max(0, maxResponseBytes), Array.MaxLength - 1);
        if (content.Headers.ContentLength is long declared && declared > limit)
        {
            throw TencentCloudException.ResponseTooLarge(call.Action, call.Region, call.Host, limit);
        }
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var initial = (int)Math.Min(limit + 1L, content.Headers.ContentLength is long hint ? hint + 1 : 16 * 1024);
            var buffer = buffers.Rent(Math.Max(initial, 256));
            var length = 0;
            try
            {
                while (true)
                {
                    // Never read past limit + 1 bytes, however large the rented array is.
                    var capacity = (int)Math.Min(buffer.Length, limit + 1L);
                    if (length == capacity)
                    {
                        var bigger = buffers.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        buffers.Return(buffer);
                        buffer = bigger;
                        capacity = (int)Math.Min(buffer.Length, limit + 1L);
                    }
                    var read = await stream.ReadAsync(buffer.AsMemory(length, capacity - length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (buffer, length);
                    }
                    length += read;
                    if (length > limit)
                    {
                        throw TencentCloudException.ResponseTooLarge(call.Action, call.Region, call.Host, limit);
                    }
                }
            }
            catch
            {
                buffers.Return(buffer);
                throw;
            }
        }
    }
}
