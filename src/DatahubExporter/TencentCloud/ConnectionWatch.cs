namespace DatahubExporter.TencentCloud;

/// <summary>
/// Counts the connections an <see cref="HttpClient"/> opened, so that <see cref="Departure"/> can tell a request
/// sent while connections were being opened. Such a request can reach the API's counter later than it left: the
/// far end takes up a new connection in its own time (measured on loopback: 19 requests on the wire within 0.2 ms,
/// counted by the simulator over 100 ms), and nothing on the client side sees when.
/// </summary>
internal sealed class ConnectionWatch
{
    private long _opened;

    /// <summary>Connections opened so far (TCP, and TLS on HTTPS, done).</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>Has <paramref name="handler"/> count every connection it opens into this watch; returns it.</summary>
    public SocketsHttpHandler Watch(SocketsHttpHandler handler)
    {
        handler.PlaintextStreamFilter = (context, _) =>
        {
            Opening();
            return ValueTask.FromResult(context.PlaintextStream);
        };
        return handler;
    }

    /// <summary>One more connection is open.</summary>
    public void Opening() => Interlocked.Increment(ref _opened);
}
