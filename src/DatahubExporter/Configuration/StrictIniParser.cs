namespace DatahubExporter.Configuration;

/// <summary>
/// The INI reader for the credentials file, ours line by line (no INI library: the one used before reached
/// for reflection that NativeAOT cannot keep). <c>;</c> and <c>#</c> start a comment at the start of a line or
/// after whitespace (so <c>region = ap-guangzhou ; note</c> works, and a value with no spaces never loses a
/// character); a line is then empty, <c>[section]</c> or <c>key = value</c> (split at the first <c>=</c>, both
/// sides trimmed); anything else, duplicate sections and keys are errors. A section is <c>[common]</c> or, when
/// the caller allows them, <c>[account.NAME]</c> (exporter.md "Accounts and targets"); every key goes to the
/// acceptKey callback with its section, which may reject it by throwing an <see cref="IniProblem"/>. Every problem reaches the
/// caller as an <see cref="IniLineException"/> carrying the 1-based line number and never the line's text (it
/// may hold a secret). Lines end at LF, CR LF or a lone CR.
/// </summary>
internal sealed class StrictIniParser(Action<string, string, string> acceptKey, bool accountSections, Action<string>? sectionStarted = null)
{
    public const string AccountPrefix = "account.";

    private readonly HashSet<string> seenSections = new(StringComparer.Ordinal);
    private readonly HashSet<(string, string)> seenKeys = [];
    private string? section;

    /// <summary>Only <c>[common]</c>; every key goes to <paramref name="acceptKey"/> without its section.</summary>
    public StrictIniParser(Action<string, string> acceptKey)
        : this((_, key, value) => acceptKey(key, value), accountSections: false)
    {
    }

    public IReadOnlySet<string> Sections => seenSections;

    /// <exception cref="IniLineException">The first problem, with its line number.</exception>
    public void Parse(string text)
    {
        using var reader = new StringReader(text);
        var number = 0;
        while (reader.ReadLine() is { } raw)
        {
            number++;
            try
            {
                ProcessLine(raw);
            }
            catch (IniProblem problem)
            {
                throw new IniLineException(number, problem);
            }
        }
    }

    private void ProcessLine(string raw)
    {
        var line = raw.Trim();
        var comment = CommentStart(line);
        if (comment >= 0)
        {
            line = line[..comment].TrimEnd();
        }

        if (line.Length == 0)
        {
            return;
        }

        if (line.Length >= 2 && line[0] == '[' && line[^1] == ']')
        {
            ProcessSection(line[1..^1].Trim());
        }
        else if (line.IndexOf('=') is var equals and >= 0)
        {
            ProcessKeyValuePair(line[..equals].Trim(), line[(equals + 1)..].Trim());
        }
        else
        {
            throw new IniProblem("syntax error: expected \"[section]\" or \"key = value\"");
        }
    }

    private void ProcessSection(string name)
    {
        if (!seenSections.Add(name))
        {
            throw new IniProblem($"duplicate section [{name}]");
        }

        if (name != "common" && !(accountSections && name.StartsWith(AccountPrefix, StringComparison.Ordinal)))
        {
            throw new IniProblem(accountSections
                ? $"unknown section [{name}] (sections are [common] and [account.NAME])"
                : $"unknown section [{name}] (the only section is [common])");
        }

        if (name != "common" && !IsAccountName(name[AccountPrefix.Length..]))
        {
            throw new IniProblem($"section [{name}]: the account name must be 1 to 64 letters, digits, '_' or '-'");
        }

        section = name;
        sectionStarted?.Invoke(name);
    }

    private void ProcessKeyValuePair(string key, string value)
    {
        if (key.Length == 0)
        {
            throw new IniProblem("syntax error: empty key name before \"=\"");
        }

        if (section is null)
        {
            throw new IniProblem($"key \"{key}\" is outside any section (put it under [common])");
        }

        if (!seenKeys.Add((section, key)))
        {
            throw new IniProblem($"duplicate key \"{key}\" in [{section}]");
        }

        acceptKey(section, key, value);
    }

    /// <summary>An account name is a label value and a query parameter: kept to characters that need no escaping.</summary>
    public static bool IsAccountName(string name) =>
        name.Length is >= 1 and <= 64 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-');

    /// <summary>Index of the comment marker: a <c>;</c> or <c>#</c> at the start or after whitespace.</summary>
    private static int CommentStart(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] is ';' or '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>An <see cref="IniProblem"/> and the 1-based number of the line it was found on.</summary>
internal sealed class IniLineException(int lineNumber, IniProblem problem) : Exception(problem.Message, problem)
{
    public int LineNumber { get; } = lineNumber;
}
