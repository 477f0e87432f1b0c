using System.Net;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// The JSON body of one attempt, which says when the request left: the HTTP handler writes the body only after
/// it took a pooled connection or opened a new one (TCP, and TLS on HTTPS), right before the request goes out.
/// That moment, not the limiter's turn, is when the API starts counting the request (§5): a fresh process's
/// first call, or a burst that opens new connections, leaves tens to hundreds of milliseconds after its turn.
/// </summary>
/// <param name="departed">Called once, with the timestamp (of <paramref name="time"/>) at which the request left,
/// or with what the owner passes to <see cref="Depart"/> when it never did.</param>
internal sealed class DepartingBody(ReadOnlyMemory<byte> body, TimeProvider time, Action<long> departed) : HttpContent
{
    private int _departed;

    /// <summary>The bytes sent, which are also the bytes signed.</summary>
    public ReadOnlyMemory<byte> Body => body;

    /// <summary>Reports the departure at <paramref name="at"/> unless it was reported already (only the first
    /// report counts).</summary>
    public void Depart(long at)
    {
        if (Interlocked.Exchange(ref _departed, 1) == 0)
        {
            departed(at);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Depart(time.GetTimestamp());
        return stream.WriteAsync(body, cancellationToken).AsTask();
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Depart(time.GetTimestamp());
        stream.Write(body.Span);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}
