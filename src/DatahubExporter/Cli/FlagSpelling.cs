using System.CommandLine;
using DatahubExporter.Configuration;

namespace DatahubExporter.Cli;

/// <summary>How flags may be spelled: the Go tool's single-dash names, and the nearest flag for a mistyped one.
/// Pure.</summary>
internal static class FlagSpelling
{
    /// <summary>The message for an argument no flag took: the nearest flag name for a mistyped one.</summary>
    /// <param name="args">The command line as parsed, to tell a stray word from a value given to a switch
    /// (<c>--once=maybe</c>: the switch took nothing, so the value is left over). A flag that takes a value took its
    /// own, so a word left over that equals it (<c>--conf=x x</c>) is a stray word.</param>
    public static string UnknownArgument(string token, RootCommand root, IReadOnlyList<string> args)
    {
        if (!token.StartsWith('-') || token == "-")
        {
            var attachedTo = args.Select(a => a.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[1] == token && p[0].StartsWith("--", StringComparison.Ordinal));
            return attachedTo is not null && root.Options.Any(o => o.Name == attachedTo[0] && o.ValueType == typeof(bool))
                ? $"{attachedTo[0]} takes no value other than true or false, not {ConfigLoader.Echo(token)}"
                : $"unexpected argument {ConfigLoader.Echo(token)}: flags are given as --name=value or --name value";
        }

        // Only the name: whatever follows '=' may be a value nobody should see again.
        var name = token.Split('=', 2)[0];
        var candidates = root.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct();
        var typed = "--" + name.TrimStart('-');
        var (nearest, distance) = candidates
            .Select(c => (Name: c, Distance: EditDistance(typed, c)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        var shown = name.Length <= 64 ? name : name[..64] + "…";
        return nearest is not null && distance <= Math.Max(2, typed.Length / 4)
            ? $"unknown flag {shown}; did you mean {nearest}?"
            : $"unknown flag {shown}";
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions each cost one.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>
    /// The original tool used Go's flag package, so its users write <c>-conf=…</c> and <c>-web.listen-address …</c>:
    /// a single dash before one of our long names becomes a double dash. Values are left alone.
    /// </summary>
    public static string[] AcceptGoSpellings(IReadOnlyList<string> args, RootCommand root)
    {
        var names = root.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var result = new string[args.Count];
        var afterSeparator = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            afterSeparator |= arg == "--";
            var name = arg.Split('=', 2)[0];
            result[i] = !afterSeparator && arg.Length > 1 && arg[0] == '-' && arg[1] != '-' && names.Contains("-" + name) ? "-" + arg : arg;
        }

        return result;
    }
}
