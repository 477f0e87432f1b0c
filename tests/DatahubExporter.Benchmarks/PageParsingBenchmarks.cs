using System.Text.Json;
using BenchmarkDotNet.Attributes;
using DatahubExporter.Collectors;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Benchmarks;

/// <summary>
/// One CKafka page of 100 tasks (a genuine simulator answer, hostile names included) turned into models:
/// the whole public client path (<see cref="CkafkaClient"/>: signing, envelope, tolerant field reading, id
/// de-duplication) against the floor of a bare <see cref="JsonDocument"/> parse that reads the same three fields.
/// </summary>
[MemoryDiagnoser]
public class PageParsingBenchmarks
{
    private static readonly Uri Endpoint = new("https://ckafka.tencentcloudapi.com/");
    private byte[] _page = [];
    private HttpClient _http = null!;
    private CkafkaClient _ckafka = null!;

    [GlobalSetup]
    public void Setup()
    {
        _page = BenchTargets.CaptureTaskPage(100);
        Console.WriteLine($"// page of 100 tasks: {_page.Length} bytes of JSON");
        _http = new HttpClient(new CannedHandler(_page));
        _ckafka = new CkafkaClient(BenchTargets.Client(_http));
        var tasks = ListTasksAsync().GetAwaiter().GetResult();
        if (tasks.Count != 100)
        {
            throw new InvalidOperationException($"the captured page gave {tasks.Count} tasks, expected 100");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse + read 3 fields (floor)")]
    public int RawParse()
    {
        using var document = JsonDocument.Parse(_page);
        var count = 0;
        foreach (var task in document.RootElement.GetProperty("Response").GetProperty("Result").GetProperty("TaskList").EnumerateArray())
        {
            var id = task.GetProperty("TaskId").GetString();
            var name = task.TryGetProperty("TaskName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : "";
            var status = task.GetProperty("Status").GetInt64();
            count += (id?.Length ?? 0) + (name?.Length ?? 0) + (int)status;
        }

        return count;
    }

    [Benchmark(Description = "CkafkaClient.ListAsync with the tasks path's reader, 1 page of 100")]
    public async Task<int> ClientPageAsync() => (await ListTasksAsync()).Count;

    // What a scrape does with one region's list: the path's own reader, de-duplicated by id.
    private Task<IReadOnlyList<ListedItem>> ListTasksAsync() =>
        _ckafka.ListAsync(BenchTargets.Target(Endpoint), DatahubTasksPath.Path.Action, DatahubTasksPath.Path.ListField, CkafkaClient.PageSize,
            DatahubTasksPath.Path.Read, static i => i.Id, new ListProgress(), CancellationToken.None);
}
