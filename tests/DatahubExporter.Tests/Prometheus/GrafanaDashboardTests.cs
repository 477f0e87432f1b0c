using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>
/// examples/grafana/datahub_exporter.json: every PromQL <c>expr</c> in it parses (promtool checks them as
/// recording rules, Grafana variables replaced by sample values) and uses only metrics the exporter serves.
/// </summary>
public class GrafanaDashboardTests
{
    private const string DashboardFile = "examples/grafana/datahub_exporter.json";

    // Values for the dashboard's own and Grafana's built-in variables. A variable not listed here fails
    // the test, so a new one gets a deliberate sample value.
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["account"] = ".*",
        ["region"] = "ap-guangzhou",
        ["__rate_interval"] = "4m",
        ["__interval"] = "1m",
        ["__range"] = "1h",
    };

    private static readonly Regex Variable = new(@"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]");

    [Test]
    public async Task Every_dashboard_expression_passes_promtool_check_rules()
    {
        var exprs = Expressions(LoadDashboard());
        Assert.That(exprs, Has.Count.GreaterThanOrEqualTo(10), "the dashboard lost its queries");

        var result = await CheckAsRulesAsync(exprs.Select(e => Substitute(e.Expr)));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain($"SUCCESS: {exprs.Count} rules found"));
    }

    [Test]
    public async Task A_broken_expression_fails_the_check()
    {
        // The pipeline above must be able to fail.
        var result = await CheckAsRulesAsync(["sum(rate(datahub_exporter_api_requests_total[5m])", "up"]);

        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Output);
    }

    [Test]
    public void Dashboard_expressions_use_only_metrics_the_exporter_serves()
    {
        Assert.Multiple(() =>
        {
            foreach (var (panel, expr) in Expressions(LoadDashboard()))
            {
                Assert.That(ExporterMetricNames.UnknownIn(expr), Is.Empty, $"panel '{panel}': {expr}");
            }
        });
    }

    [TestCase("datahub_task_status", TestName = "Dashboard_shows_task_status")]
    [TestCase("connect_resource_status", TestName = "Dashboard_shows_resource_status")]
    [TestCase("datahub_exporter_collect_success", TestName = "Dashboard_shows_collection_success")]
    [TestCase("datahub_exporter_collect_duration_seconds", TestName = "Dashboard_shows_collection_duration")]
    [TestCase("count_values(\"status\", datahub_task_status", TestName = "Dashboard_counts_tasks_by_status")]
    [TestCase("count_values(\"status\", connect_resource_status", TestName = "Dashboard_counts_resources_by_status")]
    [TestCase("datahub_exporter_api_requests_total{account=~\"$account\",region=~\"$region\",code!=\"Success\"}", TestName = "Dashboard_shows_API_errors")]
    [TestCase("datahub_task_consumer_lag{account=~\"$account\",region=~\"$region\"}", TestName = "Dashboard_shows_lag_per_task")]
    [TestCase("rate(datahub_task_consumer_current_offset_sum{account=~\"$account\",region=~\"$region\"}", TestName = "Dashboard_shows_consume_rate_per_task")]
    public void Dashboard_covers(string fragment)
    {
        Assert.That(Expressions(LoadDashboard()).Select(e => e.Expr), Has.Some.Contains(fragment));
    }

    // Series without an account label: the exporter's own build and process metrics, and the API latency
    // histogram (labelled by action only). Everything else follows the $account variable.
    private static readonly Regex AccountFree = new(@"^(datahub_exporter_build_info|rate\(process_cpu_seconds_total|process_resident_memory_bytes|histogram_quantile\()");

    [Test]
    public void Every_panel_query_filters_by_account()
    {
        Assert.Multiple(() =>
        {
            foreach (var (panel, expr) in Expressions(LoadDashboard()).Where(e => !AccountFree.IsMatch(e.Expr)))
            {
                var selectors = Regex.Matches(expr, @"\b(datahub_\w+|connect_resource_\w+)(\{[^}]*\})?").Select(m => m.Value).ToList();
                Assert.That(selectors, Is.Not.Empty, $"panel '{panel}': {expr}");
                foreach (var selector in selectors)
                {
                    Assert.That(selector, Does.Contain("account=~\"$account\""), $"panel '{panel}': {expr}");
                }
            }
        });
    }

    [Test]
    public void Account_variable_matches_setups_without_account_sections()
    {
        // All is ".*", which also matches a missing label (the empty string), so old setups keep their panels.
        var account = LoadDashboard()["templating"]!["list"]!.AsArray().Single(v => (string?)v!["name"] == "account")!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)account["allValue"], Is.EqualTo(".*"));
            Assert.That((bool?)account["includeAll"], Is.True);
            Assert.That((bool?)account["multi"], Is.True);
            Assert.That((string?)account["query"]!["query"], Is.EqualTo("label_values(datahub_exporter_collect_success, account)"));
        });
    }

    [Test]
    public async Task All_accounts_matcher_keeps_series_without_an_account_label_in_real_prometheus()
    {
        // What the All value relies on: to Prometheus a missing label is the empty string, which ".*" matches and a
        // chosen account does not. Prometheus's own up series stands in for an exporter without account sections.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        var prom = await PrometheusServer.StartAsync($"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['{PrometheusServer.SelfAddressPlaceholder}']
            """, cancellationToken: ct);
        await using (prom)
        {
            await prom.WaitForAsync(async t => (await prom.QueryAsync("up", t)).Count == 1, TimeSpan.FromSeconds(30), "up", ct);
            var all = Substitute("up{account=~\"$account\"}");
            Assert.That(await prom.QueryAsync(all, ct), Has.Count.EqualTo(1), all);
            Assert.That(await prom.QueryAsync("up{account=~\"(prod|staging)\"}", ct), Is.Empty);
        }
    }

    [Test]
    public void Legends_that_name_the_region_name_the_account()
    {
        var legends = JsonLegends(LoadDashboard()).Where(l => l.Contains("{{region}}", StringComparison.Ordinal)).ToList();
        Assert.That(legends, Is.Not.Empty);
        Assert.That(legends, Has.All.Contains("{{account}}"));
    }

    private static IEnumerable<string> JsonLegends(JsonNode root) =>
        Regex.Matches(root.ToJsonString(), "\"legendFormat\":\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => m.Groups[1].Value);

    [Test]
    public void Unknown_variables_are_reported()
    {
        Assert.That(() => Substitute("rate(x[$__rate_interval]) * $mystery"), Throws.InstanceOf<AssertionException>().With.Message.Contains("mystery"));
    }

    private static JsonNode LoadDashboard() =>
        JsonNode.Parse(File.ReadAllText(PrometheusTools.RepoPath(DashboardFile)))
            ?? throw new AssertionException($"{DashboardFile} is empty");

    /// <summary>Every "expr" anywhere in the dashboard (panels, rows' nested panels, any depth), with its panel title.</summary>
    private static List<(string Panel, string Expr)> Expressions(JsonNode root)
    {
        var found = new List<(string, string)>();
        Walk(root, "(dashboard)");
        return found;

        void Walk(JsonNode? node, string panel)
        {
            switch (node)
            {
                case JsonObject obj:
                    var title = obj["title"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : panel;
                    foreach (var (key, child) in obj)
                    {
                        if (key == "expr" && child is JsonValue v && v.TryGetValue<string>(out var expr))
                        {
                            found.Add((title, expr));
                        }
                        else
                        {
                            Walk(child, title);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Walk(item, panel);
                    }

                    break;
            }
        }
    }

    private static string Substitute(string expr) => Variable.Replace(expr, m =>
    {
        var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
        return Variables.TryGetValue(name, out var value)
            ? value
            : throw new AssertionException($"Grafana variable ${name} has no sample value in {nameof(GrafanaDashboardTests)}: {expr}");
    });

    private static async Task<ProcessResult> CheckAsRulesAsync(IEnumerable<string> exprs)
    {
        using var temp = new TempDirectory("dashboard-rules-");
        var dir = temp.Path;
        // JSON string literals are valid YAML double-quoted scalars, so no YAML escaping of our own.
        var yaml = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        var i = 0;
        foreach (var expr in exprs)
        {
            yaml.Append("      - record: dashboard:expr_").Append(i++).Append('\n')
                .Append("        expr: ").Append(JsonSerializer.Serialize(expr)).Append('\n');
        }

        var path = Path.Combine(dir, "dashboard.rules.yml");
        await File.WriteAllTextAsync(path, yaml.ToString());
        return await PrometheusTools.RunPromtoolAsync(["check", "rules", path]);
    }
}
