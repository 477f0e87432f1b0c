using DatahubExporter.Http;

namespace DatahubExporter.Tests.Http;

public class HtmlTextTests
{
    [TestCase("plain task-01", "plain task-01")]
    [TestCase("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [TestCase("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")]
    [TestCase("' onmouseover='x", "&#39; onmouseover=&#39;x")]
    [TestCase("&lt; stays text", "&amp;lt; stays text")]
    [TestCase("</style><style>body{display:none}", "&lt;/style&gt;&lt;style&gt;body{display:none}")]
    [TestCase("a\u0000b\u001bc\u007fd", "a\uFFFDb\uFFFDc\uFFFDd")]
    [TestCase("tab\tand\nnewline", "tab\tand\nnewline")]
    [TestCase("pair \uD83D\uDE00 kept", "pair \uD83D\uDE00 kept")]
    [TestCase("数据任务 <b>", "数据任务 &lt;b&gt;")]
    [TestCase("", "")]
    [TestCase(null, "")]
    public void Hostile_strings_come_out_as_inert_text(string? value, string expected)
    {
        Assert.That(HtmlText.Escape(value), Is.EqualTo(expected));
    }

    [Test]
    public void Lone_surrogates_become_replacement_characters_and_pairs_stay()
    {
        // Built at run time: attribute arguments cannot carry invalid UTF-16.
        var value = "lone " + (char)0xD800 + " high, lone " + (char)0xDC00 + " low, pair \uD83D\uDE00";

        Assert.That(HtmlText.Escape(value), Is.EqualTo("lone \uFFFD high, lone \uFFFD low, pair \uD83D\uDE00"));
    }

    [Test]
    public void A_string_with_nothing_to_escape_is_returned_as_is()
    {
        const string value = "ap-guangzhou";

        Assert.That(HtmlText.Escape(value), Is.SameAs(value));
    }
}
