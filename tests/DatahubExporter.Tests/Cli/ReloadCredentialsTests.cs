using System.Globalization;
using DatahubExporter.Cli;
using DatahubExporter.Configuration;
using DatahubExporter.Telemetry;
using DatahubExporter.Tests.WebConfig;
using DatahubExporter.TencentCloud.CredentialSources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Cli;

/// <summary>A reload waits on no credential source (issue 19 item 2): the new configuration is in force when
/// <see cref="ReloadableHolder{T}.Reload"/> returns, and its role source is asked in the background. The metadata
/// service here is an in-memory handler that holds its answer until the test lets it go.</summary>
public sealed class ReloadCredentialsTests
{
    private const string MetadataUrl = "http://metadata.test/";

    private TempDirectory _dir = null!;
    private string _ini = null!;
    private FakeTimeProvider _time = null!;
    private TaskCompletionSource _answer = null!;
    private CollectingLogger _log = null!;
    private StructuredLoggerProvider _secrets = null!;

    [SetUp]
    public void CreateFile()
    {
        _dir = new TempDirectory("reload-credentials-");
        _ini = _dir.PathOf("datahub_exporter.conf");
        File.WriteAllText(_ini, "[common]\nregion = ap-guangzhou\ncredential_source = cvm_role\nrole_name = reader\n");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));
        _answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _log = new CollectingLogger();
        _secrets = new StructuredLoggerProvider(LogLevel.Debug, LogFormat.Logfmt, TextWriter.Null, new SecretScrubber());
    }

    [TearDown]
    public void DeleteFile()
    {
        // Whatever the test saw, nothing stays blocked on the held answer.
        _answer.TrySetResult();
        _secrets.Dispose();
        _dir.Dispose();
    }

    private ConfigHolder Load(FakeHandler metadata)
    {
        var chain = new CredentialChain(new HttpClient(metadata), new HttpClient(new FakeHandler((_, _) => throw new AssertionException("STS was asked"))),
            _time, NullLogger.Instance, new CredentialMetrics());
        return ConfigSources.LoadConfig(_ini, name => name == CredentialChain.MetadataUrlVariable ? MetadataUrl : null, chain, _log, _secrets, _time);
    }

    private string Keys() =>
        $$"""{"TmpSecretId":"AKIDreloadHeld0001","TmpSecretKey":"reloadHeldKeyNeverLogged","Token":"reloadHeldToken","ExpiredTime":{{_time.GetUtcNow().AddHours(2).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}},"Code":"Success"}""";

    [Test]
    public async Task A_reload_returns_while_the_metadata_service_holds_its_answer()
    {
        var metadata = new FakeHandler(async (_, _, token) =>
        {
            await _answer.Task.WaitAsync(token);
            return FakeHandler.Json(Keys());
        });
        var config = Load(metadata);
        var first = config.Current;

        // On another thread, so a reload that waited for the answer fails the test instead of hanging it.
        var reload = Task.Run(config.Reload);
        await Eventually.HoldsAsync(() => reload.IsCompleted, "the reload returned, the metadata service still holding its answer");
        await Eventually.HoldsAsync(() => metadata.Count == 1, "the new source was asked in the background");

        Assert.That(await reload, Is.Null, "taken, not refused");
        Assert.That(config.Current, Is.Not.SameAs(first));
        Assert.That(config.Current.Credentials.Current, Is.Null, "no keys before the answer");
        Assert.That(_log.Entries, Is.EqualTo(new[] { (LogLevel.Information, "configuration reloaded regions=ap-guangzhou credential_source=cvm_role") }));

        _answer.SetResult();
        await Eventually.HoldsAsync(() => config.Current.Credentials.Current is not null, "the keys arrived after the reload");
        Assert.That(config.Current.Credentials.Current!.SecretId, Is.EqualTo("AKIDreloadHeld0001"));
        Assert.That(_log.Entries, Has.Count.EqualTo(1), "a first fetch that succeeds adds no line");
        ConfigSources.DisposeCredentials(config.Current);
    }

    [Test]
    public async Task A_source_that_fails_after_a_reload_is_logged_as_no_credentials_yet()
    {
        var config = Load(new FakeHandler((_, _) => new HttpResponseMessage(System.Net.HttpStatusCode.NotFound)));

        Assert.That(config.Reload(), Is.Null, "the configuration is taken; its source answers later, or not");
        await Eventually.HoldsAsync(() => _log.Entries.Count == 2, "the failed first fetch was logged");

        Assert.That(_log.Entries.Single(e => e.Level == LogLevel.Error).Message, Is.EqualTo("no credentials yet, collections fail until the source answers source=cvm_role " +
            $"err=no credentials from cvm_role: CVM metadata {MetadataUrl} role reader: no such role on this instance (HTTP 404)"));
        Assert.That(config.LastReloadSuccessful, Is.True);
        ConfigSources.DisposeCredentials(config.Current);
    }
}
