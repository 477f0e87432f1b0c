using System.CommandLine;

namespace DatahubExporter.Soak;

/// <summary>
/// The soak: the real exporter binary against an in-process simulator, N concurrent scrapers, faults switched
/// between scrape waves, then a report (markdown on stdout, JSON to a file). Exit 0 when every invariant held,
/// 1 when one failed, 2 for bad usage or a run that could not start. Run through tests/scripts/soak.sh.
/// </summary>
public static class Program
{
    private static readonly Option<string> ExporterOption = new("--exporter")
    {
        Description = "Path of the datahub_exporter apphost (a Release build).",
        Required = true,
    };

    private static readonly Option<double> MinutesOption = new("--minutes") { Description = "Length of the load phase.", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> ScrapersOption = new("--scrapers") { Description = "Concurrent scrapers.", DefaultValueFactory = _ => 50 };
    private static readonly Option<int> TasksOption = new("--tasks") { Description = "Datahub tasks per region.", DefaultValueFactory = _ => 2000 };
    private static readonly Option<int> ResourcesOption = new("--resources") { Description = "Connect resources per region.", DefaultValueFactory = _ => 500 };
    private static readonly Option<double> WaveEveryOption = new("--wave-every") { Description = "Seconds of load between fault waves.", DefaultValueFactory = _ => 8 };
    private static readonly Option<int> ThinkOption = new("--think-ms") { Description = "Each scraper pauses 0..N ms between scrapes.", DefaultValueFactory = _ => 500 };
    private static readonly Option<double> MaxRssOption = new("--max-rss-mb") { Description = "Fail when the exporter ends above this RSS.", DefaultValueFactory = _ => 512 };
    private static readonly Option<double> SettleOption = new("--settle-seconds") { Description = "After the load, scrape like one Prometheus for this long, then judge RSS against the after-warm-up level (0: skip).", DefaultValueFactory = _ => 60 };
    private static readonly Option<string?> JsonOption = new("--json") { Description = "Where to write the JSON report." };
    private static readonly Option<bool> FiguresOption = new("--figures") { Description = "Measure issue 7's figures (allocation, sweep times, RSS) instead of soaking." };
    private static readonly Option<string?> BaselineOption = new("--baseline") { Description = "With --figures: a second exporter binary to compare against (the 'before' column)." };

    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Soak the datahub_exporter binary against the CKafka simulator.");
        foreach (var option in new Option[] { ExporterOption, MinutesOption, ScrapersOption, TasksOption, ResourcesOption, WaveEveryOption, ThinkOption, MaxRssOption, SettleOption, JsonOption, FiguresOption, BaselineOption })
        {
            root.Options.Add(option);
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync("soak: " + parsed.Errors[0].Message).ConfigureAwait(false);
            return 2;
        }

        if (parsed.Action is not null && parsed.GetValue(ExporterOption) is null)
        {
            return await parsed.InvokeAsync().ConfigureAwait(false);
        }

        if (parsed.GetValue(FiguresOption))
        {
            var baseline = parsed.GetValue(BaselineOption);
            return await new FiguresRun(Path.GetFullPath(parsed.GetValue(ExporterOption)!), baseline is null ? null : Path.GetFullPath(baseline), Console.Out)
                .RunAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var options = new SoakOptions
        {
            ExporterPath = Path.GetFullPath(parsed.GetValue(ExporterOption)!),
            Minutes = parsed.GetValue(MinutesOption),
            Scrapers = parsed.GetValue(ScrapersOption),
            Tasks = parsed.GetValue(TasksOption),
            Resources = parsed.GetValue(ResourcesOption),
            WaveEverySeconds = parsed.GetValue(WaveEveryOption),
            ThinkMs = parsed.GetValue(ThinkOption),
            MaxRssMb = parsed.GetValue(MaxRssOption),
            SettleSeconds = parsed.GetValue(SettleOption),
            JsonPath = parsed.GetValue(JsonOption),
        };
        if (options.Minutes is <= 0 or > 24 * 60 || options.Scrapers is < 1 or > 1000 || options.Tasks < 1 || options.Resources < 1 ||
            options.WaveEverySeconds <= 0 || options.ThinkMs < 0 || options.SettleSeconds is < 0 or > 3600)
        {
            await Console.Error.WriteLineAsync("soak: --minutes must be in (0, 1440], --scrapers in [1, 1000], counts positive").ConfigureAwait(false);
            return 2;
        }

        if (!File.Exists(options.ExporterPath))
        {
            await Console.Error.WriteLineAsync($"soak: no exporter binary at {options.ExporterPath} (build it in Release first)").ConfigureAwait(false);
            return 2;
        }

        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };
        return await new SoakRun(options, Console.Out).RunAsync(interrupted.Token).ConfigureAwait(false);
    }
}
