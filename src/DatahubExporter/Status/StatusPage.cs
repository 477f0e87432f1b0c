using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DatahubExporter.Collectors;
using DatahubExporter.Http;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Status;

/// <summary>Everything <c>/status</c> shows, read from the board and the process (never from the API).</summary>
internal sealed record StatusPageData(
    DateTimeOffset Now,
    IReadOnlyList<ScrapePath> Paths,
    IReadOnlyList<string> Regions,
    IReadOnlyList<UnitStatus> Units,
    string CredentialSource,
    string CredentialDetail,
    bool HasCredentials,
    DateTimeOffset? CredentialExpiry,
    double ConfiguredRate,
    IReadOnlyList<RateLimit> Rates,
    IReadOnlyList<(string Action, long Requests)> RequestsLastMinute,
    IReadOnlyList<AccountStatus>? Accounts = null)
{
    /// <summary>Every (account, region) the page shows a row for: the account is null without account sections.</summary>
    public IReadOnlyList<(string? Account, string Region)> Targets => Accounts is null
        ? Regions.Select(r => ((string?)null, r)).ToList()
        : Accounts.SelectMany(a => a.Regions.Select(r => ((string?)a.Name, r))).ToList();

    public static StatusPageData From(ExporterServices services)
    {
        var config = services.Config.Current;
        var credentials = config.Credentials;
        var accounts = config.AccountSections?.Select(a => new AccountStatus(a.Account!, a.Regions, a.Credentials.Source, a.Credentials.Detail,
            a.Credentials.Current is not null, a.Credentials.Expiry)).ToList();
        return new StatusPageData(services.Time.GetUtcNow(), services.Engine.Paths, config.Regions, services.StatusBoard.Snapshot(),
            credentials.Source, credentials.Detail, credentials.Current is not null, credentials.Expiry, services.Options.ApiRateLimit,
            services.RateLimits(), services.ApiMetrics.RequestsLastMinute(), accounts);
    }
}

/// <summary>One account section as the page shows it: its regions and its credentials (never a secret).</summary>
internal sealed record AccountStatus(string Name, IReadOnlyList<string> Regions, string CredentialSource, string CredentialDetail, bool HasCredentials,
    DateTimeOffset? CredentialExpiry);

/// <summary>
/// The <c>/status</c> page for the person on call (exporter.md "The status page"): server-rendered HTML with inline CSS,
/// no script and no outside asset; every value goes through <see cref="HtmlText.Escape"/>. Narrow screens get one card
/// per row instead of a wide table.
/// </summary>
internal static class StatusPage
{
    /// <summary>Rows of items not running on the whole page; the rest are counted.</summary>
    public const int MaxItemRows = 500;

    private const string Style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:12px 16px 32px;max-width:1200px;color:#1d2330;background:#fff}
        h1{font-size:1.4em;margin:.3em 0}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #d8dce3;padding-bottom:.2em}h3{font-size:1em;margin:1em 0 .3em}
        .meta{color:#5a6270;margin:0}a{color:#1a5fb4}
        .summary{padding:.6em .9em;border-radius:6px;font-weight:600}.summary.ok{background:#e6f4ea;color:#17663a}.summary.bad{background:#fdecea;color:#a4161a}
        table{border-collapse:collapse;width:100%;font-size:.93em}th,td{text-align:left;vertical-align:top;padding:.35em .6em;border-bottom:1px solid #e6e8ec}
        th{background:#f4f5f7;font-weight:600}td:not(.msg){white-space:nowrap}td.msg{overflow-wrap:anywhere;min-width:14em}code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace}
        .ok{color:#17663a}.fail{color:#a4161a;font-weight:600}.muted{color:#5a6270}.note{color:#5a6270;font-size:.9em}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
        @media (max-width:700px){table,tbody,tr,td{display:block;width:auto}thead{display:none}tr{border:1px solid #d8dce3;border-radius:6px;margin:.6em 0;padding:.3em .5em}
        td{border:0;padding:.15em 0;white-space:normal!important;overflow-wrap:anywhere}td:empty{display:none}td::before{content:attr(data-label) ": ";font-weight:600;color:#5a6270}
        td.msg{min-width:0}dl{grid-template-columns:1fr}dd{margin-bottom:.4em}}
        """;

    /// <summary>The <c>Content-Security-Policy</c> of the page: nothing may load or run but the page's own style block
    /// (allowed by its hash, so not even an injected inline style would apply).</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static string Render(StatusPageData data)
    {
        var html = new StringBuilder(16 * 1024);
        var units = data.Units.ToDictionary(u => u.Key);
        var failed = 0;
        var collected = 0;
        var notRunning = 0;
        foreach (var path in data.Paths)
        {
            foreach (var (account, region) in data.Targets)
            {
                if (units.TryGetValue(new UnitKey(path.Name, account, region), out var unit))
                {
                    collected++;
                    failed += unit.Last.Success ? 0 : 1;
                    notRunning += unit.NotRunningCount;
                }
            }
        }

        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>datahub_exporter status</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>datahub_exporter status</h1>\n<p class=\"meta\">")
            .Append(CultureInfo.InvariantCulture, $"{E(When(data.Now))} · version {E(BuildInfo.Version)} · <a href=\"/\">home</a> · ")
            .Append(CultureInfo.InvariantCulture, $"<a href=\"{Endpoints.MetricsPath}\">{Endpoints.MetricsPath}</a></p>\n");

        var bad = failed > 0 || notRunning > 0;
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"summary {(bad ? "bad" : "ok")}\" id=\"summary\">")
            .Append(CultureInfo.InvariantCulture, $"{failed} of {collected} last collections failed · {notRunning} tasks and resources not running")
            .Append(collected < data.Paths.Count * data.Targets.Count ? $" · {data.Paths.Count * data.Targets.Count - collected} not collected yet" : "")
            .Append("</p>\n");

        Collections(html, data, units);
        NotRunning(html, data, units);
        Credentials(html, data);
        Rates(html, data);
        html.Append("<p class=\"note\">This page shows what the last collections found (a scrape starts a collection); it never calls the API. ")
            .Append("“Since” is when this process first saw the item not running.</p>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Collections(StringBuilder html, StatusPageData data, Dictionary<UnitKey, UnitStatus> units)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>Last collections</h2>\n<table id=\"collections\">\n<thead><tr><th>path</th><th>{(data.Accounts is null ? "region" : "account / region")}</th><th>when</th><th>result</th>")
            .Append("<th>duration</th><th>pages</th><th>items</th><th>not running</th><th>error</th></tr></thead>\n<tbody>\n");
        foreach (var path in data.Paths)
        {
            foreach (var (account, region) in data.Targets)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td data-label=\"path\">{E(path.Name)}</td><td data-label=\"region\">{E(Where(account, region))}</td>");
                if (!units.TryGetValue(new UnitKey(path.Name, account, region), out var unit))
                {
                    html.Append("<td data-label=\"when\" class=\"muted\" colspan=\"7\">not collected since start (no scrape has finished a collection yet)</td></tr>\n");
                    continue;
                }

                var last = unit.Last;
                html.Append(CultureInfo.InvariantCulture, $"<td data-label=\"when\">{E(Ago(data.Now, last.At))}</td>")
                    .Append(last.Success ? "<td data-label=\"result\" class=\"ok\">ok</td>" : "<td data-label=\"result\" class=\"fail\">failed</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td data-label=\"duration\">{last.DurationSeconds:0.000} s</td><td data-label=\"pages\">{last.Pages}</td>")
                    .Append(last.Success
                        ? string.Create(CultureInfo.InvariantCulture, $"<td data-label=\"items\">{last.Items}</td>")
                        : "<td data-label=\"items\" class=\"muted\">–</td>")
                    // A path whose items carry no status of its own (the lag path: the tasks path has it) counts none not running.
                    .Append(last.Success && path.StatusTexts.Any
                        ? string.Create(CultureInfo.InvariantCulture, $"<td data-label=\"not running\">{last.NotRunning}</td>")
                        : "<td data-label=\"not running\" class=\"muted\">–</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td data-label=\"error\" class=\"msg\">{E(last.Error)}</td></tr>\n");
            }
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static void NotRunning(StringBuilder html, StatusPageData data, Dictionary<UnitKey, UnitStatus> units)
    {
        html.Append("<h2>Not running now</h2>\n");
        var rowsLeft = MaxItemRows;
        foreach (var path in data.Paths.Where(p => p.StatusTexts.Any))
        {
            var shown = data.Targets
                .Select(t => units.GetValueOrDefault(new UnitKey(path.Name, t.Account, t.Region)))
                .OfType<UnitStatus>()
                .Where(u => u.ItemsAsOf is not null)
                .ToList();
            var total = shown.Sum(u => u.NotRunningCount);
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(path.Name)}: {total} not running</h3>\n");
            if (total == 0)
            {
                html.Append(shown.Count == 0 ? "<p class=\"muted\">No listing yet.</p>\n" : "<p class=\"ok\">All listed items are running.</p>\n");
                continue;
            }

            html.Append(CultureInfo.InvariantCulture, $"<table class=\"items\" id=\"not-running-{E(path.Name)}\">\n<thead><tr><th>{(data.Accounts is null ? "region" : "account / region")}</th><th>{E(path.IdLabel)}</th>")
                .Append(CultureInfo.InvariantCulture, $"<th>{E(path.NameLabel)}</th><th>status</th><th>message</th><th>since</th></tr></thead>\n<tbody>\n");
            var left = 0;
            foreach (var unit in shown)
            {
                var rows = unit.NotRunning.Take(rowsLeft).ToList();
                rowsLeft -= rows.Count;
                left += unit.NotRunningCount - rows.Count;
                foreach (var item in rows)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<tr><td data-label=\"region\">{E(Where(unit.Key.Account, unit.Key.Region))}</td>")
                        .Append(CultureInfo.InvariantCulture, $"<td data-label=\"{E(path.IdLabel)}\"><code>{E(item.Id)}</code></td>")
                        .Append(CultureInfo.InvariantCulture, $"<td data-label=\"{E(path.NameLabel)}\" class=\"msg\">{E(item.Name)}</td>")
                        .Append(CultureInfo.InvariantCulture, $"<td data-label=\"status\" class=\"fail\">{E(item.StatusText)}")
                        .Append(item.Status is { } code ? string.Create(CultureInfo.InvariantCulture, $" ({code})") : "")
                        .Append(CultureInfo.InvariantCulture, $"</td><td data-label=\"message\" class=\"msg\">{E(item.Message)}</td>")
                        .Append(CultureInfo.InvariantCulture, $"<td data-label=\"since\">{E(Ago(data.Now, item.Since))}</td></tr>\n");
                }
            }

            html.Append("</tbody>\n</table>\n");
            if (left > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{left} more not shown (the page lists at most {MaxItemRows} items, ")
                    .Append(CultureInfo.InvariantCulture, $"{StatusBoard.MaxKeptPerUnit} per region, the most recent first); the status metrics have them all.</p>\n");
            }
        }
    }

    private static void Credentials(StringBuilder html, StatusPageData data)
    {
        html.Append("<h2>Credentials</h2>\n");
        if (data.Accounts is null)
        {
            Credential(html, data.Now, "credentials", data.CredentialSource, data.CredentialDetail, data.HasCredentials, data.CredentialExpiry);
            return;
        }

        foreach (var account in data.Accounts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>account {E(account.Name)}</h3>\n");
            Credential(html, data.Now, $"credentials-{account.Name}", account.CredentialSource, account.CredentialDetail, account.HasCredentials,
                account.CredentialExpiry);
        }
    }

    private static void Credential(StringBuilder html, DateTimeOffset now, string id, string source, string detail, bool hasCredentials, DateTimeOffset? expiry)
    {
        html.Append(CultureInfo.InvariantCulture, $"<dl id=\"{E(id)}\">\n")
            .Append(CultureInfo.InvariantCulture, $"<dt>source</dt><dd>{E(source)}</dd>\n")
            .Append(CultureInfo.InvariantCulture, $"<dt>detail</dt><dd>{E(detail)}</dd>\n")
            .Append("<dt>expiry</dt><dd>");
        if (!hasCredentials)
        {
            html.Append("<span class=\"fail\">no credentials yet: the source has not answered</span>");
        }
        else if (expiry is { } at)
        {
            html.Append(CultureInfo.InvariantCulture, $"{E(When(at))} ({E(Span(at - now, future: true))})");
        }
        else
        {
            html.Append("does not expire");
        }

        html.Append("</dd>\n</dl>\n");
    }

    private static void Rates(StringBuilder html, StatusPageData data)
    {
        html.Append("<h2>API rate</h2>\n<p id=\"last-minute\">Requests in the last minute: ")
            .Append(data.RequestsLastMinute.Count == 0 ? "none" : string.Join(", ", data.RequestsLastMinute.Select(r =>
                string.Create(CultureInfo.InvariantCulture, $"{E(r.Action)} {r.Requests}"))))
            .Append(" (HTTP attempts, retries included).</p>\n");
        if (data.ConfiguredRate <= 0)
        {
            html.Append("<p>Client-side rate limit off (<code>--api.rate-limit 0</code>).</p>\n");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<p>Configured: {data.ConfiguredRate:0.###} requests/s per action and API host; ")
            .Append("lower for a while after the API answered <code>RequestLimitExceeded</code>.</p>\n");
        if (data.Rates.Count == 0)
        {
            html.Append("<p class=\"muted\">No API call yet.</p>\n");
            return;
        }

        // Each account has its own budgets (exporter.md "Isolation"): its name in a cell of its own, never glued to the host.
        var accounts = data.Rates.Any(r => r.Account is not null);
        html.Append("<table id=\"rates\">\n<thead><tr>").Append(accounts ? "<th>account</th>" : "")
            .Append("<th>action</th><th>API host</th><th>current limit</th></tr></thead>\n<tbody>\n");
        foreach (var rate in data.Rates.OrderBy(r => r.Account, StringComparer.Ordinal).ThenBy(r => r.Action, StringComparer.Ordinal)
                     .ThenBy(r => r.Host, StringComparer.Ordinal))
        {
            html.Append("<tr>").Append(accounts ? $"<td data-label=\"account\">{E(rate.Account)}</td>" : "")
                .Append(CultureInfo.InvariantCulture, $"<td data-label=\"action\">{E(rate.Action)}</td><td data-label=\"API host\">{E(rate.Host)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td data-label=\"current limit\"{(rate.Rate < data.ConfiguredRate ? " class=\"fail\"" : "")}>{rate.Rate:0.###}/s</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static string E(string? value) => HtmlText.Escape(value);

    private static string Where(string? account, string region) => account is null ? region : $"{account} / {region}";

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>"2026-12-03 09:41:07 UTC (12 s ago)".</summary>
    internal static string Ago(DateTimeOffset now, DateTimeOffset at) => When(at) + " (" + Span(now - at, future: false) + ")";

    /// <summary>"12 s ago", "5 min ago", "3 h ago", "2 d ago"; "in …" for the future.</summary>
    internal static string Span(TimeSpan span, bool future)
    {
        if (span < TimeSpan.Zero)
        {
            return future ? "expired" : "just now";
        }

        var (amount, unit) = span.TotalSeconds < 120 ? ((int)span.TotalSeconds, "s")
            : span.TotalMinutes < 120 ? ((int)span.TotalMinutes, "min")
            : span.TotalHours < 48 ? ((int)span.TotalHours, "h")
            : ((int)span.TotalDays, "d");
        var text = string.Create(CultureInfo.InvariantCulture, $"{amount} {unit}");
        return future ? "in " + text : text + " ago";
    }
}
