using System.Text.RegularExpressions;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>examples/datahub_exporter.conf documents every key of the INI contract (spec/exporter.md, "Configuration file").</summary>
public class ExampleConfigFileTests
{
    private const string ConfigFile = "examples/datahub_exporter.conf";

    [TestCase("secret_id", true)]
    [TestCase("secret_key", true)]
    [TestCase("region", true)]
    [TestCase("token", false)]
    [TestCase("endpoint", false)]
    [TestCase("task_lag_group", false)]
    public void Key_is_present_and_explained_by_the_comment_above_it(string key, bool active)
    {
        var lines = File.ReadAllLines(PrometheusTools.RepoPath(ConfigFile));
        var setting = new Regex($@"^(;?)\s*{key}\s*=");
        var index = Array.FindIndex(lines, l => setting.IsMatch(l));

        Assert.That(index, Is.GreaterThan(0), $"{key} missing");
        Assert.That(setting.Match(lines[index]).Groups[1].Value, Is.EqualTo(active ? "" : ";"),
            active ? $"{key} is required and must be set" : $"{key} is optional and must stay commented out");
        // The comment block directly above the setting starts by naming the key.
        var top = index;
        while (top > 0 && lines[top - 1].StartsWith("; ", StringComparison.Ordinal))
        {
            top--;
        }

        Assert.That(lines[top], Does.StartWith($"; {key}:"), $"{key} needs an explanation right above it");
    }

    [Test]
    public void Example_holds_no_real_looking_credentials()
    {
        var text = File.ReadAllText(PrometheusTools.RepoPath(ConfigFile));

        Assert.That(Regex.IsMatch(text, @"^secret_key\s*=\s*x+\s*$", RegexOptions.Multiline), Is.True);
        Assert.That(Regex.IsMatch(text, @"^secret_id\s*=\s*AKIDx+\s*$", RegexOptions.Multiline), Is.True);
        Assert.That(text, Does.StartWith("[common]").Or.Contain("\n[common]\n"));
    }

    [TestCase("true", true)]
    [TestCase("TRUE", true)]
    [TestCase("1", true)]
    [TestCase("false", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void CI_variable_values_that_turn_skips_into_failures(string? value, bool isCi)
    {
        Assert.That(PrometheusTools.IsCiValue(value), Is.EqualTo(isCi));
    }
}
