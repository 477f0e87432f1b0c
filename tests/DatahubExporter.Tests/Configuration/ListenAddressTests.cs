using DatahubExporter.Configuration;

namespace DatahubExporter.Tests.Configuration;

public class ListenAddressTests
{
    [TestCase(":48080", null, 48080)]
    [TestCase("0.0.0.0:9100", "0.0.0.0", 9100)]
    [TestCase("127.0.0.1:0", "127.0.0.1", 0)]
    [TestCase("[::1]:8080", "::1", 8080)]
    [TestCase("[::]:8080", "::", 8080)]
    [TestCase("localhost:8080", "localhost", 8080)]
    [TestCase("exporter.example:8080", "exporter.example", 8080)]
    [TestCase(" :1 ", null, 1)]
    public void Good_addresses_parse(string text, string? host, int port)
    {
        var address = ListenAddress.Parse(text);
        Assert.That(address, Is.EqualTo(new ListenAddress(host, port)));
    }

    [TestCase("48080", "invalid listen address \"48080\": missing port (use :PORT, HOST:PORT or [IPv6]:PORT)")]
    [TestCase("[::1]", "invalid listen address \"[::1]\": missing port (use [::1]:PORT, e.g. [::1]:48080)")]
    [TestCase(":", "invalid listen address \":\": port \"\" is not a number from 0 to 65535")]
    [TestCase(":65536", "invalid listen address \":65536\": port \"65536\" is not a number from 0 to 65535")]
    [TestCase(":-1", "invalid listen address \":-1\": port \"-1\" is not a number from 0 to 65535")]
    [TestCase(":http", "invalid listen address \":http\": port \"http\" is not a number from 0 to 65535")]
    [TestCase("::1:80", "invalid listen address \"::1:80\": IPv6 addresses need brackets, e.g. [::1]:80")]
    [TestCase("[::1:80", "invalid listen address \"[::1:80\": \"[::1\" is not a bracketed IPv6 address")]
    [TestCase("[nope]:80", "invalid listen address \"[nope]:80\": \"[nope]\" is not a bracketed IPv6 address")]
    [TestCase("[127.0.0.1]:80", "invalid listen address \"[127.0.0.1]:80\": \"[127.0.0.1]\" is not a bracketed IPv6 address")]
    [TestCase("bad host!:80", "invalid listen address \"bad host!:80\": \"bad host!\" is not a host name or IP address")]
    public void Bad_addresses_say_why(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => ListenAddress.Parse(text));
        Assert.That(e!.Message, Is.EqualTo(message));
    }

    [TestCase(":48080")]
    [TestCase("127.0.0.1:80")]
    [TestCase("[::1]:80")]
    public void Round_trips(string text) => Assert.That(ListenAddress.Parse(text).ToString(), Is.EqualTo(text));
}
