using System.Net;
using Microsoft.AspNetCore.Connections;

namespace DatahubExporter.Http;

/// <summary>
/// Closes a connection that sends nothing within <see cref="FirstByteTimeout"/> of being accepted, and keeps silent
/// connections from starving everyone else (<see cref="SilentConnections"/>). Kestrel's only timer before the first
/// request is <c>KeepAliveTimeout</c>, the same one that keeps a scraper's connection open between scrapes, so without
/// this a thousand silent sockets hold every connection slot for minutes. Runs on the raw transport, before TLS, and
/// consumes nothing: the bytes stay for Kestrel to read.
/// </summary>
internal static class IdleConnectionGuard
{
    /// <summary>How long a new connection may stay silent. A client that connects means to send at once;
    /// TLS handshakes then have Kestrel's own handshake timeout, requests <c>RequestHeadersTimeout</c>.</summary>
    public static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(5);

    public static IConnectionBuilder UseIdleConnectionGuard(this IConnectionBuilder connections, TimeSpan timeout, SilentConnections silent) =>
        connections.Use(next => async connection =>
        {
            var input = connection.Transport.Input;
            using (var silence = new CancellationTokenSource(timeout))
            {
                var entry = silent.Enter((connection.RemoteEndPoint as IPEndPoint)?.Address, silence);
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
                    connection.Abort(new ConnectionAbortedException(entry.Evicted
                        ? "closed while silent: its peer holds the most silent connections and a new one arrived"
                        : $"no request within {timeout.TotalSeconds:0.#} s"));
                    return;
                }
                finally
                {
                    silent.Leave(entry);
                }
            }

            await next(connection).ConfigureAwait(false);
        });
}

/// <summary>
/// The connections that have not sent their first byte yet, by peer. Past <see cref="Capacity"/> of them, one more
/// closes the oldest silent connection of the peer holding the most: at once when the newcomer is another peer's (a
/// fair share for new peers), or when that oldest has been silent for <see cref="MinSilence"/> (a burst of a few
/// hundred connections from one scraper is not cut before its first bytes are read). A peer's own newcomer that
/// finds only young ones waits beyond the capacity, up to twice it; past that the oldest goes anyway. So one client
/// reopening every socket it loses (issue 16 item 1: ~1,100 of them) only ever churns its own, and Kestrel's
/// <c>MaxConcurrentConnections</c> is never reached by silence. Peers are IPv4 addresses and IPv6 /64 prefixes
/// (one host's share). Thread-safe; every operation is O(peers) at most.
/// </summary>
internal sealed class SilentConnections(int capacity)
{
    /// <summary>A quarter of Kestrel's connection limit: scrapers, probes and browsers need a handful.</summary>
    public const int DefaultCapacity = ExporterHost.MaxConnections / 4;

    /// <summary>How long a connection must have been silent before its own peer's newcomers may close it.</summary>
    public static readonly TimeSpan MinSilence = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, LinkedList<Entry>> _byPeer = [];
    private int _count;
    private long _evicted;

    public int Capacity => capacity;

    /// <summary>Silent connections closed to make room for a newer one, since start.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Registers a new connection; <paramref name="silence"/> is cancelled if it has to make room.</summary>
    public Entry Enter(IPAddress? address, CancellationTokenSource silence)
    {
        var entry = new Entry(Peer(address), silence);
        Entry? victim = null;
        lock (_gate)
        {
            if (!_byPeer.TryGetValue(entry.Peer, out var list))
            {
                _byPeer[entry.Peer] = list = new LinkedList<Entry>();
            }

            entry.Node = list.AddLast(entry);
            if (++_count > capacity)
            {
                LinkedList<Entry>? largest = null;
                foreach (var peer in _byPeer.Values)
                {
                    if (largest is null || peer.Count > largest.Count)
                    {
                        largest = peer;
                    }
                }

                var oldest = largest!.First!.Value;
                if (!oldest.Peer.Equals(entry.Peer) || Environment.TickCount64 - oldest.Since >= (long)MinSilence.TotalMilliseconds)
                {
                    victim = oldest;
                }
                else if (_count > 2 * capacity)
                {
                    victim = oldest;
                }

                if (victim is not null)
                {
                    Remove(victim);
                    victim.Evicted = true;
                }
            }
        }

        if (victim is not null)
        {
            Interlocked.Increment(ref _evicted);
            try
            {
                victim.Silence.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It spoke and left in the meantime.
            }
        }

        return entry;
    }

    /// <summary>The connection spoke, hung up or was closed; no-op if it was already evicted.</summary>
    public void Leave(Entry entry)
    {
        lock (_gate)
        {
            if (entry.Node is not null)
            {
                Remove(entry);
            }
        }
    }

    private void Remove(Entry entry)
    {
        var list = entry.Node!.List!;
        list.Remove(entry.Node);
        entry.Node = null;
        _count--;
        if (list.Count == 0)
        {
            _byPeer.Remove(entry.Peer);
        }
    }

    private static IPAddress Peer(IPAddress? address)
    {
        if (address is null)
        {
            return IPAddress.None; // a Unix socket or a test transport: one peer
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    internal sealed class Entry(IPAddress peer, CancellationTokenSource silence)
    {
        public IPAddress Peer { get; } = peer;

        public long Since { get; } = Environment.TickCount64;

        public CancellationTokenSource Silence { get; } = silence;

        public LinkedListNode<Entry>? Node { get; set; }

        public bool Evicted { get; set; }
    }
}
