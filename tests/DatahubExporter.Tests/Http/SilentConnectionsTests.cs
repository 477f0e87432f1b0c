using System.Net;
using DatahubExporter.Http;

namespace DatahubExporter.Tests.Http;

public class SilentConnectionsTests
{
    private static readonly IPAddress Hog = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Other = IPAddress.Parse("198.51.100.7");

    [Test]
    public void A_newcomer_past_the_capacity_closes_the_oldest_silent_connection_of_the_largest_peer()
    {
        var silent = new SilentConnections(3);
        var hog = Enumerable.Range(0, 3).Select(_ => new CancellationTokenSource()).ToList();
        var entries = hog.Select(c => silent.Enter(Hog, c)).ToList();
        using var other = new CancellationTokenSource();

        silent.Enter(Other, other);

        Assert.That(hog.Select(c => c.IsCancellationRequested), Is.EqualTo(new[] { true, false, false }));
        Assert.That(entries[0].Evicted, Is.True);
        Assert.That(silent.Evicted, Is.EqualTo(1));

        // The hog reopening its sockets only ever closes its own: young ones wait up to twice the capacity, then its
        // oldest go.
        var reopened = Enumerable.Range(0, 10).Select(_ => new CancellationTokenSource()).ToList();
        foreach (var cts in reopened)
        {
            silent.Enter(Hog, cts);
        }

        Assert.That(other.IsCancellationRequested, Is.False);
        Assert.That(hog.All(c => c.IsCancellationRequested), Is.True);
        Assert.That(reopened.Select(c => c.IsCancellationRequested), Is.EqualTo(Enumerable.Repeat(true, 5).Concat(Enumerable.Repeat(false, 5))),
            "6 silent at most: the other peer's and the 5 newest");
    }

    [Test]
    public void Leaving_makes_room_and_leaving_twice_is_harmless()
    {
        var silent = new SilentConnections(2);
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        using var c = new CancellationTokenSource();
        var first = silent.Enter(Hog, a);
        silent.Enter(Hog, b);

        silent.Leave(first);
        silent.Leave(first);
        silent.Enter(Other, c);

        Assert.That((a.IsCancellationRequested, b.IsCancellationRequested, c.IsCancellationRequested), Is.EqualTo((false, false, false)));
    }

    [Test]
    public void Addresses_of_one_IPv6_64_prefix_are_one_peer()
    {
        var silent = new SilentConnections(2);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        using var other = new CancellationTokenSource();
        silent.Enter(IPAddress.Parse("2001:db8:1:2::1"), first);
        silent.Enter(IPAddress.Parse("2001:db8:1:2::ffff:9"), second);

        silent.Enter(IPAddress.Parse("2001:db8:1:3::1"), other);

        Assert.That((first.IsCancellationRequested, second.IsCancellationRequested, other.IsCancellationRequested), Is.EqualTo((true, false, false)));
    }
}
