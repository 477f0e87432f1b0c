using System.Net;
using BenchmarkDotNet.Attributes;
using CkafkaSimulator;

namespace DatahubExporter.Benchmarks;

/// <summary>
/// The same 2,000-task scrape as <see cref="ScrapeBenchmarks"/>, but with the API answered from memory: the 20
/// genuine simulator pages are captured once in set-up and replayed by <see cref="CannedPagesHandler"/>. The
/// Allocated column is then the exporter's own side (signing, request, reading, parsing, collecting, rendering)
/// and not the in-process simulator's, which is most of what <see cref="ScrapeBenchmarks"/> counts (issue 7's
/// "a 2,000-task scrape allocates at most 2.5 MB" is about the exporter). No socket is involved, so the
/// SocketsHttpHandler's own per-request objects are missing here; the handler's are in (see its remarks).
/// </summary>
[MemoryDiagnoser]
public class ExporterOnlyScrapeBenchmarks
{
    public const int Tasks = ScrapeBenchmarks.Tasks;

    private ExporterServices _services = null!;
    private HttpClient _http = null!;
    private CannedPagesHandler _handler = null!;

    [GlobalSetup]
    public void Setup()
    {
        _handler = new CannedPagesHandler(CapturePages());
        _http = new HttpClient(_handler);
        // The endpoint is never dialled: every request ends in the handler.
        _services = BenchTargets.Services(new Uri("http://127.0.0.1:9/"), _http);
        if (ScrapeAsync().GetAwaiter().GetResult() < Tasks * 100)
        {
            throw new InvalidOperationException("the scrape did not return every task");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _http.Dispose();
    }

    /// <summary>The handler alone, answering the 20 pages: what the replay itself allocates, to subtract.</summary>
    [Benchmark(Baseline = true, Description = "20 canned pages, handler only (to subtract)")]
    public async Task<long> HandlerOnlyAsync()
    {
        long total = 0;
        using var invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
        for (var page = 0; page < Tasks / 100; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:9/") { Content = new ReadOnlyMemoryContent(BenchTargets.PageBody(page * 100)) };
            using var response = await invoker.SendAsync(request, CancellationToken.None);
            total += response.Content.Headers.ContentLength ?? 0;
        }

        return total;
    }

    [Benchmark(Description = "tasks-path scrape, API pages replayed from memory (20 pages + render)")]
    public Task<long> ScrapeAsync() => BenchTargets.ScrapeTasksAsync(_services);

    /// <summary>The simulator's 20 answers to <c>{"Limit":100,"Offset":N}</c>, by N.</summary>
    private static Dictionary<int, byte[]> CapturePages()
    {
        return CaptureAsync().GetAwaiter().GetResult();

        static async Task<Dictionary<int, byte[]>> CaptureAsync()
        {
            await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { DataSet = SimulatorDataSet.Generate(Tasks, 10) });
            var recorder = new RecordingHandler();
            using var http = new HttpClient(recorder);
            var client = BenchTargets.Client(http);
            var pages = new Dictionary<int, byte[]>();
            for (var offset = 0; offset < Tasks; offset += 100)
            {
                using var response = await client.CallAsync(BenchTargets.Target(simulator.BaseAddress), "DescribeDatahubTasks", BenchTargets.PageBody(offset),
                    CancellationToken.None);
                pages[offset] = recorder.LastBody;
            }

            return pages;
        }
    }
}

/// <summary>
/// Answers a DescribeDatahubTasks page request with the captured page for its <c>Offset</c>.
/// </summary>
/// <remarks>Per call it allocates the response message, its content and headers (HttpClient disposes them) and a
/// stream over the request body; <see cref="ExporterOnlyScrapeBenchmarks.HandlerOnlyAsync"/> measures that. The
/// page bytes themselves are shared, never copied.</remarks>
public sealed class CannedPagesHandler(Dictionary<int, byte[]> pages) : HttpMessageHandler
{
    private static readonly System.Net.Http.Headers.MediaTypeHeaderValue Json = new("application/json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = new byte[64];
        var length = 0;
        if (request.Content is not null)
        {
            await using var stream = await request.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            length = await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }

        var page = pages[OffsetOf(body.AsSpan(0, length))];
        var content = new ByteArrayContent(page);
        content.Headers.ContentType = Json;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }

    /// <summary>The number after <c>"Offset":</c> in a request body like <c>{"Limit":100,"Offset":300}</c>.</summary>
    private static int OffsetOf(ReadOnlySpan<byte> body)
    {
        var at = body.IndexOf("\"Offset\":"u8);
        if (at < 0)
        {
            throw new InvalidOperationException("a page request without an Offset");
        }

        var offset = 0;
        foreach (var b in body[(at + 9)..])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            offset = (offset * 10) + (b - '0');
        }

        return offset;
    }
}
