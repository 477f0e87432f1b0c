using Microsoft.AspNetCore.Connections;

namespace DatahubExporter.Http;

/// <summary>
/// Closes a connection that sends nothing within <see cref="FirstByteTimeout"/> of being accepted. Kestrel's
/// only timer before the first request is <c>KeepAliveTimeout</c>, the same one that keeps a scraper's
/// connection open between scrapes, so without this a thousand silent sockets hold every connection slot for
/// minutes. Runs on the raw transport, before TLS, and consumes nothing: the bytes stay for Kestrel to read.
/// </summary>
internal static class IdleConnectionGuard
{
    /// <summary>How long a new connection may stay silent. A client that connects means to send at once;
    /// TLS handshakes then have Kestrel's own handshake timeout, requests <c>RequestHeadersTimeout</c>.</summary>
    public static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(5);

    public static IConnectionBuilder UseIdleConnectionGuard(this IConnectionBuilder connections, TimeSpan timeout) =>
        connections.Use(next => async connection =>
        {
            var input = connection.Transport.Input;
            using (var silence = new CancellationTokenSource(timeout))
            {
                try
                {
                    var first = await input.ReadAsync(silence.Token).ConfigureAwait(false);
                    // Nothing consumed and nothing examined: Kestrel's next read gets the same bytes at once.
                    input.AdvanceTo(first.Buffer.Start);
                    if (first.IsCompleted && first.Buffer.IsEmpty)
                    {
                        return; // the client hung up without a word
                    }
                }
                catch (OperationCanceledException) when (silence.IsCancellationRequested)
                {
                    connection.Abort(new ConnectionAbortedException($"no request within {timeout.TotalSeconds:0.#} s"));
                    return;
                }
            }

            await next(connection).ConfigureAwait(false);
        });
}
