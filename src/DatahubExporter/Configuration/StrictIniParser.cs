using IniParser.Model;
using IniParser.Model.Configuration;
using IniParser.Parser;

namespace DatahubExporter.Configuration;

/// <summary>
/// ini-parser, tightened for a credentials file: <c>;</c> and <c>#</c> start a comment at the start of a
/// line or after whitespace (so <c>region = ap-guangzhou ; note</c> works, and a value with no spaces
/// never loses a character); duplicate sections and keys are errors; every key of [common] goes to the
/// acceptKey callback, which may reject it. Each problem is thrown as an <see cref="IniProblem"/>
/// that never quotes the line (it may hold a secret); ini-parser wraps it with the line number.
/// </summary>
internal sealed class StrictIniParser(Action<string, string> acceptKey) : IniDataParser(new IniParserConfiguration
{
    AllowDuplicateKeys = false,
    AllowDuplicateSections = false,
    AllowKeysWithoutSection = false,
    ThrowExceptionsOnError = true,
    CaseInsensitive = false,
    SkipInvalidLines = false,
})
{
    private readonly HashSet<string> seenSections = new(StringComparer.Ordinal);
    private readonly HashSet<string> seenKeys = new(StringComparer.Ordinal);
    private string? section;

    public IReadOnlySet<string> Sections => seenSections;

    protected override bool LineContainsAComment(string line) => CommentStart(line) >= 0;

    protected override string ExtractComment(string line)
    {
        var start = CommentStart(line);
        return start < 0 ? line : line[..start].TrimEnd();
    }

    protected override void ProcessLine(string currentLine, IniData currentIniData)
    {
        var line = ExtractComment(currentLine.Trim());
        if (line.Length == 0)
        {
            return;
        }

        if (LineMatchesASection(line))
        {
            ProcessSection(line, currentIniData);
        }
        else if (LineMatchesAKeyValuePair(line))
        {
            ProcessKeyValuePair(line, currentIniData);
        }
        else
        {
            throw new IniProblem("syntax error: expected \"[section]\" or \"key = value\"");
        }
    }

    protected override void ProcessSection(string line, IniData currentIniData)
    {
        var name = line.Trim()[1..^1].Trim();
        if (!seenSections.Add(name))
        {
            throw new IniProblem($"duplicate section [{name}]");
        }

        if (name != "common")
        {
            throw new IniProblem($"unknown section [{name}] (the only section is [common])");
        }

        section = name;
    }

    protected override void ProcessKeyValuePair(string line, IniData currentIniData)
    {
        var key = ExtractKey(line);
        if (key.Length == 0)
        {
            throw new IniProblem("syntax error: empty key name before \"=\"");
        }

        if (section is null)
        {
            throw new IniProblem($"key \"{key}\" is outside any section (put it under [common])");
        }

        if (!seenKeys.Add(key))
        {
            throw new IniProblem($"duplicate key \"{key}\" in [{section}]");
        }

        acceptKey(key, ExtractValue(line));
    }

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
