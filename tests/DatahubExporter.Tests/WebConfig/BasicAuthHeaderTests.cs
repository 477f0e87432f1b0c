using System.Text;
using DatahubExporter.Http;
using DatahubExporter.WebConfig;
using Microsoft.Extensions.Primitives;

namespace DatahubExporter.Tests.WebConfig;

public sealed class BasicAuthHeaderTests
{
    private static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [TestCase("alice:secret", "alice", "secret")]
    [TestCase("alice:sec:ret", "alice", "sec:ret")]
    [TestCase("alice:", "alice", "")]
    [TestCase(":secret", "", "secret")]
    [TestCase("jürgen:pässwort", "jürgen", "pässwort")]
    public void Credentials_are_split_at_the_first_colon(string credentials, string user, string password)
    {
        var ok = BasicAuthHeader.TryParse(new StringValues("Basic " + Encode(credentials)), out var actualUser, out var actualPassword);

        Assert.That(ok, Is.True);
        Assert.That(actualUser, Is.EqualTo(user));
        Assert.That(actualPassword, Is.EqualTo(password));
    }

    [Test]
    public void Scheme_is_case_insensitive() =>
        Assert.That(BasicAuthHeader.TryParse(new StringValues("bAsIc " + Encode("a:b")), out _, out _), Is.True);

    [TestCase("")]
    [TestCase("Basic")]
    [TestCase("Basic ")]
    [TestCase("Bearer YWxpY2U6c2VjcmV0")]
    [TestCase("Basic not-base64!")]
    [TestCase("Basic YWxpY2U")]
    [TestCase("Basic YWxpY2U=")]
    [TestCase("Basic /w==")]
    [TestCase("BasicYWxpY2U6c2VjcmV0")]
    public void Malformed_header_is_no_credentials(string header) =>
        Assert.That(BasicAuthHeader.TryParse(new StringValues(header), out _, out _), Is.False);

    [Test]
    public void Two_headers_are_no_credentials() =>
        Assert.That(BasicAuthHeader.TryParse(new StringValues(["Basic " + Encode("a:b"), "Basic " + Encode("a:b")]), out _, out _), Is.False);

    [Test]
    public void Missing_header_is_no_credentials() =>
        Assert.That(BasicAuthHeader.TryParse(StringValues.Empty, out _, out _), Is.False);
}
