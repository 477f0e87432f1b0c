namespace DatahubExporter.Collectors;

/// <summary>
/// The text of a path's status codes (exporter.md "Metrics on the status scrape paths", tencent-cloud-api.md §3),
/// kept once: the HELP of the status families, the status page and the "status changed" log lines read it.
/// </summary>
internal sealed class StatusTexts(IReadOnlyList<(long Code, string Text)> codes)
{
    /// <summary>The code both tasks and resources report when they work.</summary>
    public const long Running = 1;

    public static StatusTexts None { get; } = new([]);

    public static StatusTexts Tasks { get; } = new([
        (-1, "create failed"), (0, "creating"), (1, "running"), (2, "deleting"), (3, "deleted"), (4, "delete failed"),
        (5, "pausing"), (6, "paused"), (7, "pause failed"), (8, "resuming"), (9, "resume failed"),
    ]);

    public static StatusTexts Resources { get; } = new([
        (-1, "create failed"), (0, "creating"), (1, "running"), (2, "deleting"), (4, "delete failed"), (5, "config changing"),
        (6, "config change failed"), (7, "abnormal"),
    ]);

    /// <summary>False for a path whose items carry no status (nothing to show as "not running").</summary>
    public bool Any => codes.Count > 0;

    /// <summary>"-1 create failed, 0 creating, …" for HELP text.</summary>
    public string Describe() => string.Join(", ", codes.Select(c => $"{c.Code} {c.Text}"));

    /// <summary>"create failed"; "code 12" for a code the table does not know; "no status" when the API gave none.</summary>
    public string Text(long? code)
    {
        if (code is not { } value)
        {
            return "no status";
        }

        foreach (var (c, text) in codes)
        {
            if (c == value)
            {
                return text;
            }
        }

        return $"code {value}";
    }
}
