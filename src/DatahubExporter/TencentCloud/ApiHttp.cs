using System.Net;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// The <see cref="HttpClient"/> the Tencent Cloud API is called through, together with the <see cref="ConnectionWatch"/>
/// that counts the connections it opens: built in one place, so the client the limiter watches is the one that sends.
/// <see cref="Create"/> is the exporter's; a test's client (an in-memory handler) converts implicitly, without a watch,
/// and every request then counts for the limiter from when it left. Disposing disposes the client only when
/// <see cref="Create"/> made it.
/// </summary>
internal sealed class ApiHttp : IDisposable
{
    private readonly bool _owned;

    /// <param name="client">A client whose handler reports the connections it opens to <paramref name="connections"/>
    /// itself (a test playing the far end); not disposed with this.</param>
    public ApiHttp(HttpClient client, ConnectionWatch? connections)
        : this(client, connections, owned: false)
    {
    }

    private ApiHttp(HttpClient client, ConnectionWatch? connections, bool owned)
    {
        Client = client;
        Connections = connections;
        _owned = owned;
    }

    public HttpClient Client { get; }

    /// <summary>The connections <see cref="Client"/> opened; null when nothing counts them.</summary>
    public ConnectionWatch? Connections { get; }

    /// <summary>
    /// The one process-wide client: pooled connections renewed every 5 minutes so DNS changes are seen
    /// (as the .NET SDK does, tencent-cloud-api.md §7), gzip/deflate/brotli decoded by the handler, no
    /// <see cref="HttpClient.Timeout"/> because every deadline comes from a token, and every connection counted.
    /// </summary>
    public static ApiHttp Create()
    {
        var connections = new ConnectionWatch();
        var handler = connections.Watch(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AllowAutoRedirect = false,
        });
        return new(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, connections, owned: true);
    }

    /// <summary>A client of the caller's, connections not counted, not disposed with this.</summary>
    public static implicit operator ApiHttp(HttpClient client) => new(client, null);

    public void Dispose()
    {
        if (_owned)
        {
            Client.Dispose();
        }
    }
}
