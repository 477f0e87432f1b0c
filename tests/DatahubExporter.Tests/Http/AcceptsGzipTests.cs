using DatahubExporter.Http;

namespace DatahubExporter.Tests.Http;

public class AcceptsGzipTests
{
    [TestCase("gzip", true)]
    [TestCase("deflate, gzip;q=0.5", true)]
    [TestCase("*", true)]
    [TestCase("gzip;q=0", false)]
    [TestCase("identity", false)]
    [TestCase("", false)]
    [TestCase(";;;", false)]
    [TestCase("GZIP", true)]
    [TestCase("gzip;q=0, *", false)]
    [TestCase("*;q=0, gzip", true)]
    [TestCase("*;q=0", false)]
    public void Gzip_is_chosen_only_when_allowed(string header, bool expected) =>
        Assert.That(Endpoints.AcceptsGzip(header), Is.EqualTo(expected));
}
