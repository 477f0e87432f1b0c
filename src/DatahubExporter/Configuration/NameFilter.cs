using System.Text.RegularExpressions;

namespace DatahubExporter.Configuration;

/// <summary>
/// The <c>*_name_include</c>/<c>*_name_exclude</c> pair of one scrape path: .NET regular expressions, fully
/// anchored like Prometheus relabelling, matched against an item's name; exclude wins. A pattern that runs
/// past its match timeout keeps the item (an operator would rather see a series than lose an alert), and then
/// the filter keeps every item for <see cref="CoolOff"/> without matching: the timeout is per match, so one
/// pathological pattern over 10,000 names would otherwise stall a collection for minutes. Thread-safe.
/// </summary>
internal sealed class NameFilter
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a filter whose pattern timed out keeps every item without trying again.</summary>
    public static readonly TimeSpan CoolOff = TimeSpan.FromMinutes(1);

    // Environment.TickCount64 until which matching is skipped; 0 while the patterns behave.
    private long _skipUntil;

    private readonly Regex? _include;
    private readonly Regex? _exclude;

    /// <summary>Keeps every item.</summary>
    public static NameFilter All { get; } = new(null, null);

    private NameFilter(Regex? include, Regex? exclude)
    {
        _include = include;
        _exclude = exclude;
    }

    public bool IsAll => _include is null && _exclude is null;

    /// <summary>Builds a filter; throws <see cref="ArgumentException"/> for a pattern .NET cannot parse.</summary>
    public static NameFilter Create(string? include, string? exclude) =>
        include is null && exclude is null ? All : new NameFilter(Anchored(include), Anchored(exclude));

    /// <summary>Whether an item named <paramref name="name"/> (null counts as "") produces series.</summary>
    public bool Keeps(string? name)
    {
        name ??= "";
        if (Volatile.Read(ref _skipUntil) is var until && until != 0 && Environment.TickCount64 < until)
        {
            return true;
        }

        try
        {
            if (_exclude is not null && _exclude.IsMatch(name))
            {
                return false;
            }

            return _include is null || _include.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            Volatile.Write(ref _skipUntil, Environment.TickCount64 + (long)CoolOff.TotalMilliseconds);
            return true;
        }
    }

    /// <summary>For <c>--config.check</c>: the anchored patterns in force, or "all".</summary>
    public string Shown => IsAll ? "all" : $"include={_include?.ToString() ?? "all"} exclude={_exclude?.ToString() ?? "none"}";

    private static Regex? Anchored(string? pattern) => pattern is null
        ? null
        : new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, MatchTimeout);
}
