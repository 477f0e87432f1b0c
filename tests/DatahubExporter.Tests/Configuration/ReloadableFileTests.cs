using DatahubExporter.Configuration;
using DatahubExporter.Tests.WebConfig;
using DatahubExporter.WebConfig;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.Tests.Configuration;

/// <summary>The one reload rule both files follow (issue 19 item 2): everything a load throws but running out of
/// memory refuses the new version, in one wording; each attempt is one log line, written by the file itself; the hook
/// runs once per version taken.</summary>
public sealed class ReloadableFileTests
{
    private sealed record Version(string Text);

    private TempDirectory _dir = null!;
    private string _path = null!;
    private CollectingLogger _log = null!;
    private List<(Version Previous, Version Next)> _replaced = null!;
    private Func<Version> _load = null!;

    [SetUp]
    public void CreateFile()
    {
        _dir = new TempDirectory("reloadable-file-");
        _path = _dir.PathOf("file.conf");
        File.WriteAllText(_path, "first");
        _log = new CollectingLogger();
        _replaced = [];
        _load = () => new Version(File.ReadAllText(_path));
    }

    [TearDown]
    public void DeleteFile() => _dir.Dispose();

    private ReloadableFile<Version> Reloadable() =>
        new(new Version("first"), _path, _ => [_path], _ => _load(), new ReloadLog<Version>(_log, "test file", "text={Text}", static v => [v.Text]),
            new FakeTimeProvider(), (previous, next) => _replaced.Add((previous, next)));

    public static IEnumerable<TestCaseData> Refusals()
    {
        // The files' own exceptions already name the file: their message is the reason as it is.
        yield return new TestCaseData(new ConfigException("x.conf:3: syntax error"), "x.conf:3: syntax error").SetName("A_config_problem_is_refused_with_its_own_message");
        yield return new TestCaseData(new WebConfigException("web config w.yml:2: basic_auth_users: bad"), "web config w.yml:2: basic_auth_users: bad")
            .SetName("A_web_config_problem_is_refused_with_its_own_message");
        // Anything else is a bug in a loader: still a refused reload, never a crashed timer or a failed request.
        yield return new TestCaseData(new InvalidOperationException("a bug"), "{path}: cannot be loaded: InvalidOperationException: a bug")
            .SetName("A_bug_in_the_loader_is_refused_not_thrown");
        yield return new TestCaseData(new IOException("disk gone"), "{path}: cannot be loaded: IOException: disk gone")
            .SetName("An_io_error_is_refused_naming_the_file");
    }

    [TestCaseSource(nameof(Refusals))]
    public void A_load_that_throws_is_refused_in_one_wording(Exception thrown, string reason)
    {
        var file = Reloadable();
        var first = file.Current;
        _load = () => throw thrown;

        var refused = file.ReloadNow();

        var expected = reason.Replace("{path}", _path, StringComparison.Ordinal);
        Assert.That(refused, Is.EqualTo(expected));
        Assert.That(file.Current, Is.SameAs(first));
        Assert.That(file.LastReloadSuccessful, Is.False);
        Assert.That(_replaced, Is.Empty, "the hook runs only for a version taken");
        Assert.That(_log.Entries, Is.EqualTo(new[] { (LogLevel.Error, $"test file reload failed, keeping the previous test file err={expected}") }));
    }

    [Test]
    public void Running_out_of_memory_goes_through()
    {
        var file = Reloadable();
        _load = () => throw new OutOfMemoryException();

        Assert.Throws<OutOfMemoryException>(() => file.ReloadNow());
        Assert.That(_log.Entries, Is.Empty);
    }

    [Test]
    public void A_version_taken_is_logged_in_one_line_and_runs_the_hook_once()
    {
        var file = Reloadable();
        var first = file.Current;
        File.WriteAllText(_path, "second");

        Assert.That(file.ReloadNow(), Is.Null);

        Assert.That(file.Current, Is.EqualTo(new Version("second")));
        Assert.That(file.LastReloadSuccessful, Is.True);
        Assert.That(_replaced, Is.EqualTo(new[] { (first, new Version("second")) }));
        Assert.That(_log.Entries, Is.EqualTo(new[] { (LogLevel.Information, "test file reloaded text=second") }));
    }

    [Test]
    public void Each_attempt_is_logged_once_a_change_once_and_every_sighup()
    {
        var file = Reloadable();
        _load = () => throw new ConfigException("bad");

        File.WriteAllText(_path, "broken");
        var polls = new[] { file.ReloadIfChanged(), file.ReloadIfChanged(), file.ReloadIfChanged() };
        var afterPolls = _log.Entries.Count;
        file.ReloadNow();
        file.ReloadNow();

        Assert.That(polls, Is.EqualTo(new[] { false, false, false }));
        Assert.That(afterPolls, Is.EqualTo(1), "one line for the change, however often the poll looks");
        Assert.That(_log.Entries, Has.Count.EqualTo(3), "and one for each SIGHUP");
        Assert.That(_log.Entries.Select(e => e.Level), Is.All.EqualTo(LogLevel.Error));
    }
}
