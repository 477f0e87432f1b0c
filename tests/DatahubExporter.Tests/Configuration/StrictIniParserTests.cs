using DatahubExporter.Configuration;

namespace DatahubExporter.Tests.Configuration;

/// <summary>The INI reader on its own (ConfigLoaderTests cover it through whole files): what a line means.</summary>
public class StrictIniParserTests
{
    private static List<(string Key, string Value)> Parse(string text)
    {
        var seen = new List<(string, string)>();
        new StrictIniParser((key, value) => seen.Add((key, value))).Parse(text);
        return seen;
    }

    [Test]
    public void Value_is_split_at_the_first_equals_sign_so_base64_padding_survives() =>
        Assert.That(Parse("[common]\nsecret_key = abc+/def==\n"), Is.EqualTo(new[] { ("secret_key", "abc+/def==") }));

    [Test]
    public void Comment_marker_without_whitespace_before_it_is_part_of_the_value() =>
        Assert.That(Parse("[common]\nsecret_key=a;b#c ; note\n"), Is.EqualTo(new[] { ("secret_key", "a;b#c") }));

    [TestCase("[common]\r\nregion = ap-guangzhou\r\n")]
    [TestCase("[common]\rregion = ap-guangzhou\r")]
    [TestCase("  [ common ]  # section\n\tregion\t=\tap-guangzhou\t\n")]
    public void Line_endings_and_surrounding_whitespace_do_not_matter(string text) =>
        Assert.That(Parse(text), Is.EqualTo(new[] { ("region", "ap-guangzhou") }));

    [TestCase("[common]\n\n; c\nregion ap-guangzhou\n", 4, "syntax error: expected \"[section]\" or \"key = value\"")]
    [TestCase("[common]\r\n[common]\r\n", 2, "duplicate section [common]")]
    [TestCase("\n\nregion = x\n", 3, "key \"region\" is outside any section (put it under [common])")]
    [TestCase("[common]\n[\n", 2, "syntax error: expected \"[section]\" or \"key = value\"")]
    public void Problem_names_its_line_number_and_not_the_line(string text, int line, string message)
    {
        var error = Assert.Throws<IniLineException>(() => Parse(text));

        Assert.That((error!.LineNumber, error.Message), Is.EqualTo((line, message)));
    }

    [Test]
    public void Problem_raised_by_the_key_callback_gets_the_line_number()
    {
        var parser = new StrictIniParser((key, _) => throw new IniProblem($"unknown key \"{key}\""));

        var error = Assert.Throws<IniLineException>(() => parser.Parse("[common]\n# x\nfoo = bar\n"));

        Assert.That((error!.LineNumber, error.Message), Is.EqualTo((3, "unknown key \"foo\"")));
    }
}
