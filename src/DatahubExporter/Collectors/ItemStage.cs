using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>
/// A second stage of a path, run per region on the items its list gave (after the path's filter), inside the
/// same collection: same deadline, single flight, cache and isolation as the list. Its series take the place
/// of the path's item families (status, info, error info) and of its error count.
/// </summary>
internal sealed record ItemStage
{
    /// <summary>The families the stage's samples belong to, in the order they are written.</summary>
    public required IReadOnlyList<FamilyName> Families { get; init; }

    /// <summary>Runs the stage for one region. Throws only for what fails the whole region (cancellation, a bug);
    /// a failure of one item's calls is counted in the result and costs that item its series alone.</summary>
    public required Func<StageContext, IReadOnlyList<ListedItem>, Task<StageResult>> RunAsync { get; init; }
}

/// <summary>What a stage may use in one region: the client, where and as whom to call, the configuration, a
/// fresh <see cref="ListProgress"/> that knows the collection's remaining time, and its token.</summary>
internal sealed record StageContext(CkafkaClient Ckafka, ApiTarget Target, ExporterConfig Config, Func<ListProgress> NewProgress, CancellationToken Token);

/// <summary>A stage's samples for one region (their labels without <c>region</c>, which the engine puts first), how
/// many items it called the API for, how many of those failed and the first failure's message.</summary>
internal sealed record StageResult(IReadOnlyList<Sample> Samples, int Calls, int Failures, string? FirstError);
