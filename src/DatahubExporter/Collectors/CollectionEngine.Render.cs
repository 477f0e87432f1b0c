using DatahubExporter.Exposition;

namespace DatahubExporter.Collectors;

// The families an answer holds, from the collection results and the path's error counts.
internal sealed partial class CollectionEngine
{
    /// <summary>The families of one answer: each path's own (error count, status, info, error info), then
    /// the families every path shares, each rendered once with every path's samples.</summary>
    private List<MetricFamily> Render(IReadOnlyList<(PathResult Result, TimeSpan? CacheAge)> parts)
    {
        var families = new List<MetricFamily>(8 * parts.Count);
        foreach (var (result, _) in parts)
        {
            var path = result.Path;
            if (path.Stage is { } stage)
            {
                AddStageFamilies(stage, result.Regions, families);
                continue;
            }

            var state = _states[path];
            families.Add(new MetricFamily(path.ErrorCount.Name, path.ErrorCount.Help, MetricType.Gauge,
                result.Regions.Select(r => new Sample(path.ErrorCount.Name, AccountRegion(r), state.ErrorCount(r.Account, r.Region))).ToList()));
            AddItemFamilies(path, result.Regions, families);
        }

        families.Add(new MetricFamily("datahub_exporter_collect_success",
            "Whether the last collection of this collector for this region succeeded (1) or failed (0).",
            MetricType.Gauge,
            parts.SelectMany(p => p.Result.Regions.Select(r =>
                new Sample("datahub_exporter_collect_success", RegionCollector(r, p.Result.Path), r.Success ? 1 : 0))).ToList()));
        families.Add(new MetricFamily("datahub_exporter_collect_duration_seconds",
            "How long the last collection of this collector for this region took, all pages and retries included.",
            MetricType.Gauge,
            parts.SelectMany(p => p.Result.Regions.Select(r =>
                new Sample("datahub_exporter_collect_duration_seconds", RegionCollector(r, p.Result.Path), r.DurationSeconds))).ToList()));
        if (_options.CacheTtl > TimeSpan.Zero)
        {
            families.Add(new MetricFamily("datahub_exporter_cache_age_seconds",
                "Age of the data in this answer: 0 when collected for this scrape, more when served from the --cache.ttl cache.",
                MetricType.Gauge,
                parts.Select(p => new Sample("datahub_exporter_cache_age_seconds", [new Label("collector", p.Result.Path.Name)], p.CacheAge?.TotalSeconds ?? 0))
                    .ToList()));
        }

        return families;
    }

    /// <summary>
    /// <c>…_status</c> (region plus the item's identity labels, value the API's status code; items without a
    /// status get none), <c>…_info</c> (identity plus descriptive labels, value 1) and <c>…_error_info</c>
    /// (region, id and the cleaned message, for items that have one) — written from the records, no sample objects.
    /// </summary>
    private static void AddItemFamilies(ScrapePath path, IReadOnlyList<RegionOutcome> regions, List<MetricFamily> families)
    {
        families.Add(MetricFamily.FromSeries(path.Status.Name, path.Status.Help, new ItemSeries(path, ItemFamily.Status, regions)));
        families.Add(MetricFamily.FromSeries(path.Info.Name, path.Info.Help, new ItemSeries(path, ItemFamily.Info, regions)));
        families.Add(MetricFamily.FromSeries(path.ErrorInfo.Name, path.ErrorInfo.Help, new ItemSeries(path, ItemFamily.ErrorInfo, regions)));
    }

    /// <summary>A stage path's families: its samples from every region that has some (a region whose stage calls
    /// partly failed keeps the series it got), <c>account</c> (when there are account sections) and <c>region</c> put first.</summary>
    private static void AddStageFamilies(ItemStage stage, IReadOnlyList<RegionOutcome> regions, List<MetricFamily> families)
    {
        foreach (var family in stage.Families)
        {
            families.Add(new MetricFamily(family.Name, family.Help, MetricType.Gauge,
                regions.SelectMany(r => r.StageSamples.Where(s => s.Name == family.Name)
                    .Select(s => s with { Labels = [.. AccountRegion(r), .. s.Labels] })).ToList()));
        }
    }

    /// <summary><c>account</c> first when there are account sections (exporter.md "Accounts and targets"), then <c>region</c>.</summary>
    private static Label[] AccountRegion(RegionOutcome r) =>
        r.Account is null ? [new Label("region", r.Region)] : [new Label("account", r.Account), new Label("region", r.Region)];

    private static Label[] RegionCollector(RegionOutcome r, ScrapePath path) =>
        r.Account is null ? [new Label("region", r.Region), new Label("collector", path.Name)]
            : [new Label("account", r.Account), new Label("region", r.Region), new Label("collector", path.Name)];
}
