using System.Text.RegularExpressions;

namespace DatahubExporter.Configuration;

/// <summary>
/// The <c>*_name_include</c>/<c>*_name_exclude</c> pair of one scrape path: .NET regular expressions, fully
/// anchored like Prometheus relabelling, matched against an item's name; exclude wins. Matched by .NET's
/// linear-time engine (<see cref="RegexOptions.NonBacktracking"/>, like Go's RE2 in Prometheus): no pattern can
/// stall a collection or time out, so a filter never fails open (issue 16 item 6: <c>(x+x+)+y</c> over names of 50
/// x's kept every task). The constructs that engine refuses (backreferences, lookarounds, atomic groups,
/// conditionals, possessive or lazy-only semantics such as <c>\G</c>) are a configuration error. Thread-safe.
/// </summary>
internal sealed class NameFilter
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

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

    /// <summary>Builds a filter; throws <see cref="ArgumentException"/> for a pattern .NET cannot parse and
    /// <see cref="NotSupportedException"/> for one the linear-time engine refuses.</summary>
    public static NameFilter Create(string? include, string? exclude) =>
        include is null && exclude is null ? All : new NameFilter(Anchored(include), Anchored(exclude));

    /// <summary>Checks <paramref name="pattern"/> as written, unanchored, so error offsets are the user's.</summary>
    public static Regex Compile(string pattern) => new(pattern, Options);

    /// <summary>Whether an item named <paramref name="name"/> (null counts as "") produces series.</summary>
    public bool Keeps(string? name)
    {
        name ??= "";
        if (_exclude is not null && _exclude.IsMatch(name))
        {
            return false;
        }

        return _include is null || _include.IsMatch(name);
    }

    /// <summary>For <c>--config.check</c>: the anchored patterns in force, or "all".</summary>
    public string Shown => IsAll ? "all" : $"include={_include?.ToString() ?? "all"} exclude={_exclude?.ToString() ?? "none"}";

    private static Regex? Anchored(string? pattern) => pattern is null ? null : Compile($"^(?:{pattern})$");
}
