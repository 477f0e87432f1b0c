using System.Net;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// The JSON body of one attempt, which says when the request left: the HTTP handler writes the body only after it
/// took a pooled connection or opened a new one (TCP, and TLS on HTTPS), right before the request goes out.
/// </summary>
/// <param name="departure">Told when the handler begins writing the body.</param>
internal sealed class DepartingBody(ReadOnlyMemory<byte> body, Departure departure) : HttpContent
{
    /// <summary>The bytes sent, which are also the bytes signed.</summary>
    public ReadOnlyMemory<byte> Body => body;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        departure.Left();
        return stream.WriteAsync(body, cancellationToken).AsTask();
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        departure.Left();
        stream.Write(body.Span);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}
