using DatahubExporter.Configuration;

namespace DatahubExporter.Tests.Configuration;

/// <summary>What <see cref="RegularFile"/> lets through to be opened, on real file-system objects.</summary>
public class RegularFileTests
{
    [Test]
    public void Regular_files_links_to_them_and_missing_paths_pass()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("stat(2) on Linux");
        }

        using var temp = new TempDirectory();
        var dir = temp.Path;
        var file = Path.Combine(dir, "a.conf");
        File.WriteAllText(file, "[common]\n");
        var link = Path.Combine(dir, "link.conf");
        File.CreateSymbolicLink(link, file);

        Assert.That(RegularFile.NotRegular(file), Is.Null);
        Assert.That(RegularFile.NotRegular(link), Is.Null, "Kubernetes mounts secrets as links");
        Assert.That(RegularFile.NotRegular(Path.Combine(dir, "absent")), Is.Null, "left for the read to report");
    }

    [Test]
    public void Fifos_devices_and_directories_are_named()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("stat(2) on Linux");
        }

        using var temp = new TempDirectory();
        var dir = temp.Path;
        var fifo = Path.Combine(dir, "fifo");
        EndToEndFixture.Mkfifo(fifo);
        var linkToFifo = Path.Combine(dir, "link");
        File.CreateSymbolicLink(linkToFifo, fifo);

        Assert.That(RegularFile.NotRegular(fifo), Is.EqualTo("a FIFO (named pipe)"));
        Assert.That(RegularFile.NotRegular(linkToFifo), Is.EqualTo("a FIFO (named pipe)"));
        Assert.That(RegularFile.NotRegular("/dev/null"), Is.EqualTo("a character device"));
        Assert.That(RegularFile.NotRegular(dir), Is.EqualTo("a directory"));
    }
}
