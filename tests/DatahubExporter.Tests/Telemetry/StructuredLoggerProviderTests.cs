using System.Text.Json;
using DatahubExporter.Configuration;
using DatahubExporter.Telemetry;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.Tests.Telemetry;

internal class StructuredLoggerProviderTests
{
    private static string Log(LogFormat format, Action<ILogger> write, LogLevel minimum = LogLevel.Information)
    {
        var output = new StringWriter { NewLine = "\n" };
        using var provider = new StructuredLoggerProvider(minimum, format, output);
        write(provider.CreateLogger("DatahubExporter.Collectors.DatahubTaskCollector"));
        return output.ToString();
    }

    [Test]
    public void Logfmt_turns_keyed_holes_into_fields_and_quotes_what_needs_it()
    {
        var line = Log(LogFormat.Logfmt, l => l.LogWarning("collection failed region={Region} err={Error}", "ap-guangzhou", "bad \"answer\"\nline two"));
        Assert.That(line, Does.Match(@"^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=warn logger=DatahubTaskCollector msg=""collection failed"" region=ap-guangzhou err=""bad \\""answer\\""\\nline two""\n$"));
    }

    [Test]
    public void Json_is_one_object_per_line_with_the_same_fields()
    {
        var line = Log(LogFormat.Json, l => l.LogInformation("listening address={Address}", "http://127.0.0.1:1"));
        Assert.That(line.Count(c => c == '\n'), Is.EqualTo(1));
        using var doc = JsonDocument.Parse(line);
        Assert.That(doc.RootElement.GetProperty("level").GetString(), Is.EqualTo("info"));
        Assert.That(doc.RootElement.GetProperty("msg").GetString(), Is.EqualTo("listening"));
        Assert.That(doc.RootElement.GetProperty("address").GetString(), Is.EqualTo("http://127.0.0.1:1"));
    }

    [Test]
    public void Templates_without_keyed_holes_are_rendered_whole()
    {
        var line = Log(LogFormat.Logfmt, l => l.LogError("Now listening on {Url}", "x"));
        Assert.That(line, Does.Contain("level=error").And.Contain("msg=\"Now listening on x\""));
    }

    [Test]
    public void Below_the_level_nothing_is_written()
    {
        Assert.That(Log(LogFormat.Logfmt, l => l.LogDebug("quiet")), Is.Empty);
        Assert.That(Log(LogFormat.Logfmt, l => l.LogDebug("loud"), LogLevel.Debug), Does.Contain("level=debug"));
    }

    [Test]
    public void Exceptions_add_their_message_but_no_stack_trace()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("it broke");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        var line = Log(LogFormat.Logfmt, l => l.LogError(thrown, "failed"));
        Assert.That(line, Does.Contain("err=\"it broke\"").And.Not.Contain("   at "));
    }

    [TestCase(LogFormat.Logfmt)]
    [TestCase(LogFormat.Json)]
    public void A_template_err_and_an_exception_make_one_err_field(LogFormat format)
    {
        var thrown = new InvalidOperationException("it broke", new IOException("disk gone"));

        var line = Log(format, l => l.LogError(thrown, "reload failed err={Error}", thrown.Message));

        if (format == LogFormat.Json)
        {
            using var doc = JsonDocument.Parse(line);
            var errs = doc.RootElement.EnumerateObject().Where(p => p.Name == "err").Select(p => p.Value.GetString()).ToList();
            Assert.That(errs, Is.EqualTo(new[] { "it broke: disk gone" }));
        }
        else
        {
            Assert.That(line, Does.EndWith(" err=\"it broke: disk gone\"\n"));
            Assert.That(line.Split(" err=").Length, Is.EqualTo(2));
        }
    }

    [TestCase(LogFormat.Logfmt)]
    [TestCase(LogFormat.Json)]
    public void Protected_secrets_are_scrubbed_from_message_fields_and_errors(LogFormat format)
    {
        const string Id = "AKIDscrubTestSecretId000000000001234";
        const string Key = "scrubTestSecretKey0123456789abcdef";
        const string Token = "scrubTestTokenValue0123456789";
        var output = new StringWriter { NewLine = "\n" };
        using var provider = new StructuredLoggerProvider(LogLevel.Debug, format, output);
        provider.Protect(new Credentials(Id, Key, Token));
        var log = provider.CreateLogger("Microsoft.AspNetCore.Server.Kestrel");

        log.LogError(new InvalidOperationException($"wrapped {Key}"), "The SecretId '" + Id + "' is not found err={Error}", $"token={Token}");
        log.LogInformation("framework says {Thing}", $"{Key}{Token}");

        var text = output.ToString();
        Assert.That(text, Does.Not.Contain(Key).And.Not.Contain(Token).And.Not.Contain(Id));
        Assert.That(text, Does.Contain("AKID…1234").Or.Contain("AKID\\u20261234"), "the SecretId keeps its masked form");
        Assert.That(text, Does.Contain("********"), "key and token next to each other are both replaced");
    }

    [Test]
    public void Short_values_are_not_scrubbed_as_they_would_eat_ordinary_words()
    {
        var output = new StringWriter { NewLine = "\n" };
        using var provider = new StructuredLoggerProvider(LogLevel.Debug, LogFormat.Logfmt, output);
        provider.Protect(new Credentials("id", "info", null));
        provider.CreateLogger("x").LogInformation("info about id");

        Assert.That(output.ToString(), Does.Contain("msg=\"info about id\""));
    }
    [Test]
    public void Keys_a_provider_hands_out_later_are_scrubbed_and_rotated_ones_stay_scrubbed()
    {
        var output = new StringWriter { NewLine = "\n" };
        using var provider = new StructuredLoggerProvider(LogLevel.Debug, LogFormat.Logfmt, output);
        var role = new RotatingProvider();
        provider.Protect(role);
        var log = provider.CreateLogger("x");

        log.LogInformation("before any keys");
        var first = role.Hand(new Credentials("AKIDfirstTemporaryKey00000000000001", "firstTemporarySecretKey0000", "firstTemporaryToken0000"));
        log.LogInformation("first {Key} {Token}", first.SecretKey, first.Token);
        var second = role.Hand(new Credentials("AKIDsecondTemporaryKey0000000000002", "secondTemporarySecretKey000", "secondTemporaryToken000"));
        log.LogInformation("old {Key} new {Id} {Token}", first.SecretKey, second.SecretId, second.Token);

        var text = output.ToString();
        foreach (var secret in new[] { first.SecretKey, first.Token!, second.SecretKey, second.Token!, second.SecretId })
        {
            Assert.That(text, Does.Not.Contain(secret));
        }
        Assert.That(text, Does.Contain("AKID…0002"));
    }

    [Test]
    public void When_the_list_is_full_the_oldest_secrets_go_not_the_longest()
    {
        var output = new StringWriter { NewLine = "\n" };
        using var provider = new StructuredLoggerProvider(LogLevel.Debug, LogFormat.Logfmt, output);
        for (var i = 0; i < 20; i++)
        {
            provider.Protect(new Credentials($"AKIDold{i:D4}xxxxxxxx", $"oldKey{i:D4}", $"oldTok{i:D4}"));
        }
        // 63 secrets now; the long pair is recent, and one more short pair overflows the list of 64 by two.
        var recent = new Credentials("AKIDrecentVeryLongSecretIdValue0000000000009", "recentVeryLongSecretKeyValue0000000000000009", "recentVeryLongTokenValue00000000000000009");
        provider.Protect(recent);
        provider.Protect(new Credentials("AKIDlatest00000000000", "latestKey0000", "latestTok0000"));

        provider.CreateLogger("x").LogInformation("{Id} {Key} {Token}", recent.SecretId, recent.SecretKey, recent.Token);

        var text = output.ToString();
        Assert.That(text, Does.Not.Contain(recent.SecretKey).And.Not.Contain(recent.Token!).And.Not.Contain(recent.SecretId));
    }

    private sealed class RotatingProvider : DatahubExporter.TencentCloud.CredentialSources.CredentialProvider
    {
        public override string Source => "cvm_role";

        public override string Detail => "role=test";

        private volatile Credentials? _current;

        public override Credentials? Current => _current;

        public Credentials Hand(Credentials next) => _current = next;

        public override ValueTask<Credentials> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_current!);
    }
}
