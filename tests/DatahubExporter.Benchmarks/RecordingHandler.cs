namespace DatahubExporter.Benchmarks;

/// <summary>Passes requests on to the network and keeps the last response body, to capture a genuine simulator
/// page once in setup and replay it from memory in the measured loop.</summary>
public sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    public byte[] LastBody { get; private set; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        LastBody = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var replay = new ByteArrayContent(LastBody);
        foreach (var header in response.Content.Headers)
        {
            replay.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = replay;
        return response;
    }
}
