using DatahubExporter.Collectors;
using Microsoft.Extensions.Time.Testing;

namespace DatahubExporter.Tests.Collectors;

public class IdleCompactionTests
{
    [Test]
    public void Memory_is_compacted_once_after_a_quiet_period_not_while_collections_run()
    {
        var time = new FakeTimeProvider();
        using var idle = new IdleCompaction(TimeSpan.FromSeconds(5), time);

        idle.CollectionStarted();
        idle.CollectionFinished();
        time.Advance(TimeSpan.FromSeconds(4));
        idle.CollectionStarted();
        idle.CollectionFinished();
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.That(idle.Compactions, Is.Zero, "each finished collection pushes the compaction back");

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(idle.Compactions, Is.EqualTo(1));

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(idle.Compactions, Is.EqualTo(1), "once per quiet period");

        idle.CollectionStarted();
        idle.CollectionStarted();
        idle.CollectionFinished();
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.That(idle.Compactions, Is.EqualTo(1), "not while another collection runs");
        idle.CollectionFinished();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(idle.Compactions, Is.EqualTo(2));
    }

    [Test]
    public void A_zero_delay_turns_it_off()
    {
        var time = new FakeTimeProvider();
        using var idle = new IdleCompaction(TimeSpan.Zero, time);
        idle.CollectionStarted();
        idle.CollectionFinished();
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(idle.Compactions, Is.Zero);
    }
}
