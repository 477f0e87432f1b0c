using System.Net;

namespace DatahubExporter.Benchmarks;

/// <summary>An in-memory HTTP handler that answers every request with the same 200 JSON body: the client's own
/// work (signing, headers, reading, parsing) without a socket.</summary>
public sealed class CannedHandler(byte[] body) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
    }
}
