using DatahubExporter.Collectors;
using DatahubExporter.Status;
using DatahubExporter.Telemetry;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.Tests.Status;

public sealed class StatusBoardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ScrapePath Tasks = DatahubTasksPath.Path;

    private StringWriter _log = null!;
    private StructuredLoggerProvider _loggers = null!;
    private StatusBoard _board = null!;

    [SetUp]
    public void SetUp()
    {
        _log = new StringWriter { NewLine = "\n" };
        _loggers = new StructuredLoggerProvider(LogLevel.Information, LogFormat.Logfmt, _log);
        _board = new StatusBoard(_loggers.CreateLogger("DatahubExporter.Status.StatusBoard"));
    }

    [TearDown]
    public void TearDown()
    {
        _loggers.Dispose();
        _log.Dispose();
    }

    private static ListedItem Task(string id, long? status, string message = "") => new(id, "name of " + id, status, [], message);

    private void Record(DateTimeOffset at, params ListedItem[] items) =>
        _board.Record(Tasks, new RegionOutcome("ap-guangzhou", true, 0.25, items, null), at, 1);

    private string[] LogLines() => _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private UnitStatus Unit() => _board.Snapshot().Single();

    [Test]
    public void The_first_collection_after_start_logs_no_change()
    {
        Record(T0, Task("task-1", -1, "boom"), Task("task-2", 1));

        Assert.That(LogLines(), Is.Empty);
        Assert.That(Unit().NotRunning.Select(i => i.Id), Is.EqualTo(new[] { "task-1" }));
    }

    [Test]
    public void The_task_lag_path_leaves_the_tasks_status_to_the_tasks_path()
    {
        ListedItem[] running = [Task("task-1", 1)];
        ListedItem[] failed = [Task("task-1", -1, "boom")];
        var lag = DatahubTaskLagPath.Path;
        _board.Record(lag, new RegionOutcome("ap-guangzhou", true, 0.25, running, null), T0, 1);
        _board.Record(lag, new RegionOutcome("ap-guangzhou", true, 0.25, failed, null), T0.AddMinutes(1), 1);

        Assert.That(LogLines(), Is.Empty, "the same change logged by both paths would be two lines for one task");
        var unit = Unit();
        Assert.That((unit.Last.Success, unit.Last.Items, unit.NotRunningCount, unit.NotRunning.Count), Is.EqualTo((true, 1, 0, 0)));

        // The same listings on the tasks path: one change line and one task not running (the positive control).
        Record(T0, running);
        Record(T0.AddMinutes(1), failed);
        Assert.That(LogLines(), Has.Length.EqualTo(1));
        Assert.That(_board.Snapshot().Single(u => u.Key.Path == Tasks.Name).NotRunningCount, Is.EqualTo(1));
    }

    [Test]
    public void A_changed_status_is_one_info_line_with_id_name_from_to_and_message()
    {
        Record(T0, Task("task-1", 1), Task("task-2", 1));

        Record(T0.AddMinutes(1), Task("task-1", -1, "sink \"es\" refused"), Task("task-2", 1));

        var lines = LogLines();
        Assert.That(lines, Has.Length.EqualTo(1));
        Assert.That(lines[0], Does.Match(
            @"^ts=\S+ level=info logger=StatusBoard msg=""status changed"" collector=datahub_tasks region=ap-guangzhou id=task-1 name=""name of task-1"" from=running to=""create failed"" message=""sink \\""es\\"" refused""$"));
    }

    [Test]
    public void Items_that_appear_or_disappear_are_not_status_changes()
    {
        Record(T0, Task("task-1", 6));

        Record(T0.AddMinutes(1), Task("task-2", -1));

        Assert.That(LogLines(), Is.Empty);
    }

    [Test]
    public void A_flapping_account_of_10000_tasks_logs_at_most_the_bound_and_says_how_many_were_left_out()
    {
        var running = Enumerable.Range(0, 10_000).Select(i => Task($"task-{i}", 1)).ToArray();
        var paused = Enumerable.Range(0, 10_000).Select(i => Task($"task-{i}", 6)).ToArray();
        Record(T0, running);

        Record(T0.AddMinutes(1), paused);
        Record(T0.AddMinutes(2), running);

        var lines = LogLines();
        Assert.That(lines, Has.Length.EqualTo(2 * (StatusBoard.MaxChangeLines + 1)));
        Assert.That(lines.Count(l => l.Contains("msg=\"status changed\"", StringComparison.Ordinal)), Is.EqualTo(2 * StatusBoard.MaxChangeLines));
        Assert.That(lines.Where(l => l.Contains("msg=\"status changes left out\"", StringComparison.Ordinal)),
            Has.All.Contains("changes=10000 logged=20 left_out=9980"));
    }

    [Test]
    public void Since_is_when_the_item_was_first_seen_not_running_and_is_cleared_when_it_runs_again()
    {
        Record(T0, Task("task-1", 1));
        Record(T0.AddMinutes(1), Task("task-1", 5));
        Record(T0.AddMinutes(2), Task("task-1", 6));

        Assert.That(Unit().NotRunning.Single().Since, Is.EqualTo(T0.AddMinutes(1)), "still not running: since stays");
        Assert.That(Unit().NotRunning.Single().StatusText, Is.EqualTo("paused"));

        Record(T0.AddMinutes(3), Task("task-1", 1));
        Record(T0.AddMinutes(4), Task("task-1", 7));

        Assert.That(Unit().NotRunning.Single().Since, Is.EqualTo(T0.AddMinutes(4)), "running in between: since starts again");
    }

    [Test]
    public void An_item_that_disappears_is_forgotten_and_comes_back_without_its_old_since()
    {
        Record(T0, Task("task-1", -1));
        Record(T0.AddMinutes(1));

        Assert.That(Unit().NotRunningCount, Is.Zero);

        Record(T0.AddMinutes(2), Task("task-1", -1));

        Assert.That(Unit().NotRunning.Single().Since, Is.EqualTo(T0.AddMinutes(2)));
        Assert.That(LogLines(), Is.Empty, "appearing and disappearing are no status changes");
    }

    [Test]
    public void A_failed_collection_changes_the_summary_and_keeps_the_last_listing()
    {
        Record(T0, Task("task-1", -1, "boom"));

        _board.Record(Tasks, new RegionOutcome("ap-guangzhou", false, 3.5, [], "code InternalError: down"), T0.AddMinutes(1), 2);

        var unit = Unit();
        Assert.That(unit.Last, Is.EqualTo(new CollectionSummary(T0.AddMinutes(1), false, 3.5, 2, "code InternalError: down", 0, 0)));
        Assert.That(unit.ItemsAsOf, Is.EqualTo(T0));
        Assert.That(unit.NotRunning.Single().Message, Is.EqualTo("boom"));
    }

    [Test]
    public void A_unit_keeps_the_details_of_a_bounded_number_of_items_newest_first_and_counts_the_rest()
    {
        Record(T0, Enumerable.Range(0, 1000).Select(i => Task($"old-{i:D4}", -1)).ToArray());
        Record(T0.AddMinutes(1), [.. Enumerable.Range(0, 1000).Select(i => Task($"old-{i:D4}", -1)), Task("new-1", 9)]);

        var unit = Unit();
        Assert.That(unit.NotRunningCount, Is.EqualTo(1001));
        Assert.That(unit.NotRunning, Has.Count.EqualTo(StatusBoard.MaxKeptPerUnit));
        Assert.That(unit.NotRunning[0].Id, Is.EqualTo("new-1"));
        Assert.That(unit.NotRunning[1].Id, Is.EqualTo("old-0000"));
    }

    [Test]
    public void An_item_without_a_status_is_shown_as_not_running_with_no_status()
    {
        Record(T0, Task("task-1", null));

        Assert.That(Unit().NotRunning.Single().StatusText, Is.EqualTo("no status"));
    }

    [Test]
    public void Units_are_kept_per_path_and_region()
    {
        Record(T0, Task("task-1", 1));
        _board.Record(Tasks, new RegionOutcome("ap-shanghai", true, 0.1, [Task("task-1", 1)], null), T0, 1);
        _board.Record(ConnectResourcesPath.Path, new RegionOutcome("ap-guangzhou", true, 0.1, [], null), T0, 1);

        Assert.That(_board.Snapshot().Select(u => u.Key), Is.EqualTo(new[]
        {
            new UnitKey("connect_resources", null, "ap-guangzhou"),
            new UnitKey("datahub_tasks", null, "ap-guangzhou"),
            new UnitKey("datahub_tasks", null, "ap-shanghai"),
        }));
    }
}
