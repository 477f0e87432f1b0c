using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace DatahubExporter.Tests.Support;

/// <summary>What the fake saw of one request, copied before the client disposes the message.</summary>
internal sealed record RecordedRequest(
    HttpMethod Method, Uri? Uri, IReadOnlyDictionary<string, string> Headers, string? RawContentType, byte[] Body, DateTimeOffset At)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// An in-memory HttpMessageHandler: no sockets. <c>respond</c> gets the 0-based attempt number and the
/// recorded request and returns the answer (or throws, to play a transport failure).
/// </summary>
internal sealed class FakeHandler(Func<int, RecordedRequest, CancellationToken, Task<HttpResponseMessage>> respond, TimeProvider? time = null)
    : HttpMessageHandler
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _count;

    public FakeHandler(Func<int, RecordedRequest, HttpResponseMessage> respond, TimeProvider? time = null)
        : this((n, r, _) => Task.FromResult(respond(n, r)), time)
    {
    }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public int Count => Volatile.Read(ref _count);

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Ok(string responseInner = "\"RequestId\":\"req-1\"") =>
        Json("{\"Response\":{" + responseInner + "}}");

    public static HttpResponseMessage ApiError(string code, string message = "something went wrong", string requestId = "req-err") =>
        Json($"{{\"Response\":{{\"Error\":{{\"Code\":\"{code}\",\"Message\":\"{message}\"}},\"RequestId\":\"{requestId}\"}}}}");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in request.Headers.NonValidated)
        {
            headers[h.Key] = string.Join(",", h.Value);
        }
        string? rawContentType = null;
        byte[] body = [];
        if (request.Content is not null)
        {
            foreach (var h in request.Content.Headers.NonValidated)
            {
                headers[h.Key] = string.Join(",", h.Value);
            }
            rawContentType = headers.GetValueOrDefault("Content-Type");
            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        var recorded = new RecordedRequest(request.Method, request.RequestUri, headers, rawContentType, body, (time ?? TimeProvider.System).GetUtcNow());
        _requests.Enqueue(recorded);
        var n = Interlocked.Increment(ref _count) - 1;
        return await respond(n, recorded, cancellationToken);
    }
}
